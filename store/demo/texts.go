package demo

import (
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/rolo-crm/rolo/store"
)

// Timeline texts are built from templates whose {slots} expand to words from the lists in
// words.go, or to other templates ({topic}, {detail}, {next}, {reaction}), so that a
// million entries read like a rep's notes rather than a handful of repeated lines.

var kindTemplates = map[string][]string{
	"call": {
		"Quick call about {topic}. {detail} {next}",
		"Called to go through {topic}. {detail} {next}",
		"Call with {first} about {topic}. {detail} {next}",
		"Discovery call. {detail} {detail} {next}",
		"Left a voicemail about {topic}.",
		"Inbound call: asked about {topic}. {next}",
		"Call with the {dept} team about {topic}. {detail}",
		"Short check-in call. {detail}",
		"Follow-up call on the {doc}. {detail} {next}",
		"Called back re {topic}; no answer, will try again {weekday}.",
		"Pricing call: walked through the {product} tiers for {seats} seats. {detail} {next}",
		"Renewal call. {detail} {next}",
	},
	"email": {
		"Sent the {doc}. {next}",
		"Emailed pricing for {product}: {amount} per year for {seats} seats.",
		"Replied to their questions about {topic}.",
		"Received the signed {doc}.",
		"Shared the {industry} case study and a link to the {product} docs.",
		"Email from {first}: {detail}",
		"Sent a recap of the call. {next}",
		"They asked for the {doc} before {weekday}; sent it over.",
		"Introduced them to our solutions engineer for {topic}.",
		"Sent the renewal quote for {product} ({amount}). {detail}",
		"Forwarded the {doc} to their {role}.",
		"Out-of-office reply; back in {month}.",
	},
	"meeting": {
		"Demo of {product} for {n} people from {dept}. {reaction} {next}",
		"On-site meeting in {city}: {topic}. {detail} {next}",
		"Quarterly business review. {detail} {reaction} {next}",
		"Lunch with {first}: talked about {topic}. {detail}",
		"Workshop on {topic} with their {dept} team. {reaction}",
		"Video call with {n} stakeholders about {topic}. {detail} {next}",
		"Kick-off meeting for the {product} rollout. {next}",
		"Met at {event}. {detail}",
		"Negotiation meeting with their {role}. {detail} {next}",
		"Technical deep dive on {feature}. {reaction}",
	},
	"note": {
		"Decision maker is the {role}.",
		"Prefers email over phone.",
		"Fiscal year ends in {month}.",
		"Procurement requires three quotes for anything over {amount}.",
		"Back from parental leave in {month}.",
		"Moved over from {competitor}; knows the space well.",
		"{detail}",
		"Budget owner: {role}. {detail}",
		"Uses {system} for their CRM and wants the {product} integration.",
		"Contract with {competitor} runs until {month}.",
		"Interested in {feature}; ask again once it ships.",
		"Reorg in the {dept} team; our champion may change.",
		"Mentioned they are opening an office in {city}.",
		"Reference customer candidate for the {industry} case study.",
	},
	"message": {
		"LinkedIn message: congratulated them on the new role; they asked about {product}.",
		"Texted to confirm {weekday}'s meeting.",
		"WhatsApp: running ten minutes late.",
		"Slack Connect: shared the {doc}.",
		"Asked for the {doc} by {weekday}.",
		"LinkedIn: {first} shared a post about {topic}; replied with our {industry} case study.",
		"Message: can we move the call to {weekday}?",
		"Quick message about {topic}. {next}",
		"Sent a calendar link for a demo of {feature}.",
		"Thanked them for the intro to their {dept} team.",
	},
}

var subTemplates = map[string][]string{
	"topic": {
		"the {product} rollout", "pricing for {seats} seats", "renewal terms", "the onboarding plan",
		"integration with {system}", "the {quarter} budget", "{feature}", "the security review",
		"the pilot results", "the {doc}", "expanding to the {dept} team", "the price increase",
		"support response times", "migrating off {competitor}", "a multi-year discount", "data migration from {system}",
	},
	"detail": {
		"They currently use {competitor} and the contract ends in {month}.",
		"Budget for {quarter} is approved.",
		"Pricing is a concern; asked whether we can do {pct}% off for a two-year term.",
		"Needs sign-off from their {role}.",
		"Wants {product} for about {seats} users.",
		"Integration with {system} is a must-have.",
		"Happy with the onboarding so far.",
		"Reported slow exports in the reporting module; passed to support.",
		"Security review is still pending.",
		"They are restructuring the {dept} team, so timing is unclear.",
		"Asked for references in the {industry} space.",
		"Renewal is due in {month}; usage is up {pct}% year over year.",
		"Also evaluating {competitor}.",
		"Legal is reviewing the {doc}.",
		"Their {role} wants a proof of concept first.",
		"Very positive about {feature}.",
		"Headcount freeze until {month}.",
		"Asked about volume pricing above {seats} seats.",
		"Would like invoicing in {currency}.",
		"Champion is pushing internally, but the {role} is not convinced yet.",
	},
	"next": {
		"Next step: send the proposal by {weekday}.",
		"Agreed to a demo on {weekday}.",
		"Will send a quote for {seats} seats.",
		"Follow up after their board meeting in {month}.",
		"Sending the security questionnaire today.",
		"Next step: intro to our solutions engineer.",
		"No next step yet.",
		"They will come back to us after the budget review.",
		"Next step: trial of {product} for two weeks.",
		"Booked a follow-up for {weekday}.",
		"Need to loop in their {role}.",
		"", "",
	},
	"reaction": {
		"Strong interest in {feature}.", "Lots of questions about data residency.", "They liked the dashboard builder.",
		"Mixed reactions; the {role} was sceptical.", "Great energy in the room.", "They want to see {feature} in action.",
		"Concerns about the migration effort.", "The {dept} team asked for a sandbox.",
	},
}

var followUpTemplates = []string{
	"Send proposal", "Call back about pricing", "Send contract for signature", "Check in after the demo",
	"Book quarterly business review", "Share the {industry} case study", "Confirm budget with finance",
	"Send updated quote for {seats} seats", "Follow up on the {product} trial", "Schedule onboarding call",
	"Ask for a referral", "Renewal reminder: {product}", "Introduce to solutions engineer", "Send meeting notes",
	"Check whether legal has reviewed the {doc}", "Invite to the {month} webinar", "Call {first} back",
	"Send the {doc}", "Check in on {feature} feedback", "Prepare QBR deck", "Chase the signed order form",
	"Follow up on the {competitor} comparison", "Send the security questionnaire", "Confirm {weekday}'s meeting",
}

var contactNoteTemplates = []string{
	"Met at {event}. Interested in {product}.",
	"Referred by a customer in {city}.",
	"Prefers calls in the morning.",
	"Assistant books all meetings; copy them on invites.",
	"Previously at {competitor}.",
	"Speaks at {event} most years.",
	"Very technical; skip the slides and show {feature}.",
	"Keen cyclist; ask about the {month} race.",
	"Time zone: mostly works from {city}.",
	"Champion for {product} internally.",
	"Do not call on Fridays.",
}

var companyNoteTemplates = []string{
	"Customer since {month}; uses {product}.",
	"Evaluated {competitor} last year.",
	"Procurement runs through their {dept} team.",
	"Head office in {city}.",
	"Invoices must quote a PO number.",
	"Fiscal year ends in {month}.",
	"Strategic account: {n} business units.",
	"Signed the DPA; the MSA renewal is due in {month}.",
}

var dealNoteTemplates = []string{
	"Budget approved by their {role}.",
	"Competing against {competitor}.",
	"Needs {feature} before signing.",
	"Multi-year discount of {pct}% discussed.",
	"Legal review of the {doc} in progress.",
	"Champion: {first}.",
}

// textCtx carries what a template may mention about the record it describes.
type textCtx struct {
	r        *rand.Rand
	first    string
	company  string
	city     string
	industry string
	currency string
}

func (c *textCtx) pick(list []string) string { return list[c.r.IntN(len(list))] }

// expand renders tmpl into b, expanding each {slot}.
func (c *textCtx) expand(b *strings.Builder, tmpl string) {
	for {
		i := strings.IndexByte(tmpl, '{')
		if i < 0 {
			b.WriteString(tmpl)
			return
		}
		j := strings.IndexByte(tmpl[i:], '}')
		b.WriteString(tmpl[:i])
		c.slot(b, tmpl[i+1:i+j])
		tmpl = tmpl[i+j+1:]
	}
}

func (c *textCtx) slot(b *strings.Builder, name string) {
	if subs, ok := subTemplates[name]; ok {
		c.expand(b, c.pick(subs))
		return
	}
	switch name {
	case "product":
		b.WriteString(c.pick(products))
	case "competitor":
		b.WriteString(c.pick(competitors))
	case "system":
		b.WriteString(c.pick(systems))
	case "role":
		b.WriteString(c.pick(roles))
	case "dept":
		b.WriteString(c.pick(departments))
	case "doc":
		b.WriteString(c.pick(docs))
	case "weekday":
		b.WriteString(c.pick(weekdays))
	case "month":
		b.WriteString(c.pick(months))
	case "feature":
		b.WriteString(c.pick(features))
	case "event":
		b.WriteString(c.pick(eventsMet))
	case "quarter":
		b.WriteString("Q" + strconv.Itoa(1+c.r.IntN(4)))
	case "pct":
		b.WriteString(strconv.Itoa(5 + 5*c.r.IntN(6)))
	case "n":
		b.WriteString(strconv.Itoa(2 + c.r.IntN(9)))
	case "seats":
		b.WriteString(strconv.Itoa([]int{10, 15, 20, 25, 40, 50, 75, 100, 150, 200, 250, 500, 1000}[c.r.IntN(13)]))
	case "amount":
		cur := c.currency
		if cur == "" {
			cur = "USD"
		}
		b.WriteString(store.Money{Amount: int64(1+c.r.IntN(120)) * 50000, Currency: cur}.String())
	case "currency":
		cur := c.currency
		if cur == "" {
			cur = "USD"
		}
		b.WriteString(cur)
	case "first":
		if c.first != "" {
			b.WriteString(c.first)
		} else {
			b.WriteString("them")
		}
	case "company":
		if c.company != "" {
			b.WriteString(c.company)
		} else {
			b.WriteString(c.pick(competitors))
		}
	case "city":
		if c.city != "" && c.r.IntN(2) == 0 {
			b.WriteString(c.city)
		} else {
			b.WriteString(c.pick(allCities))
		}
	case "industry":
		if c.industry != "" {
			b.WriteString(c.industry)
		} else {
			b.WriteString(industries[c.r.IntN(len(industries))].tag)
		}
	default:
		b.WriteString(name)
	}
}

// render expands a template and tidies the spaces left by empty slots.
func (c *textCtx) render(tmpl string) string {
	var b strings.Builder
	b.Grow(160)
	c.expand(&b, tmpl)
	s := b.String()
	if strings.Contains(s, "  ") || strings.HasSuffix(s, " ") {
		s = strings.Join(strings.Fields(s), " ")
	}
	return s
}

var allCities = func() []string {
	var out []string
	for _, co := range countries {
		for _, c := range co.cities {
			out = append(out, c.name)
		}
	}
	return out
}()
