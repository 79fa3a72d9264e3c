package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/rolo-crm/rolo/store"
)

// record is one planned record, ready for Bulk.Create.
type record struct {
	entity, id string
	fields     store.Fields
}

// write creates the planned records through b, table by table so every link points to a
// record already written, each table in id order. Another goroutine builds the records
// (texts, times, field maps) while this one writes, in batches.
func (g *gen) write(ctx context.Context, b *store.Bulk, total int, progress func(done, total int)) error {
	batches := make(chan []record, 8)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		defer close(batches)
		g.build(func(batch []record) bool {
			select {
			case batches <- batch:
				return true
			case <-stop:
				return false
			}
		})
	}()
	done := 0
	for batch := range batches {
		for _, r := range batch {
			if err := b.Create(r.entity, r.id, r.fields); err != nil {
				return fmt.Errorf("demo: %w", err)
			}
			done++
			if done%1000 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
				if progress != nil {
					progress(done, total)
				}
			}
		}
	}
	if progress != nil && done%1000 != 0 {
		progress(done, total)
	}
	return nil
}

// build makes the records in write order and hands them to emit in batches; it stops
// when emit returns false.
func (g *gen) build(emit func([]record) bool) {
	const size = 512
	batch := make([]record, 0, size)
	add := func(entity, id string, f store.Fields) bool {
		batch = append(batch, record{entity, id, f})
		if len(batch) < size {
			return true
		}
		ok := emit(batch)
		batch = make([]record, 0, size)
		return ok
	}
	for i := range g.companies {
		c := &g.companies[i]
		f := store.Fields{"name": c.name, "domain": c.domain, "phone": c.phone, "address": c.address, "notes": c.note,
			"created_at": ts(c.created)}
		for _, t := range c.tags {
			f["tag:"+t] = true
		}
		if !add(store.EntityCompany, c.id, f) {
			return
		}
	}
	for i := range g.contacts {
		c := &g.contacts[i]
		f := store.Fields{"first_name": c.first, "last_name": c.last, "name": c.first + " " + c.last, "title": c.title,
			"company_id": g.companyID(c.company), "address": c.addr, "source": c.source, "notes": c.note,
			"created_at": ts(c.created)}
		if c.cadence > 0 {
			f["cadence_days"] = int64(c.cadence)
		}
		if len(c.emails) > 0 {
			f["emails"] = c.emails
		}
		if len(c.phones) > 0 {
			f["phones"] = c.phones
		}
		for _, t := range c.tags {
			f["tag:"+t] = true
		}
		if !add(store.EntityContact, c.id, f) {
			return
		}
	}
	for i := range g.deals {
		d := &g.deals[i]
		var closed any
		if d.closed != 0 {
			closed = ts(d.closed)
		}
		f := store.Fields{"title": d.title, "contact_id": g.contacts[d.contact].id, "company_id": g.companyID(d.company),
			"value": d.value, "currency": d.currency, "stage_id": g.stages[d.path[len(d.path)-1]].ID, "status": d.status,
			"lost_reason": d.lostReason, "expected_close": d.expectedClose, "stage_entered_at": ts(d.entered[len(d.entered)-1]),
			"closed_at": closed, "notes": d.note, "created_at": ts(d.created)}
		for _, t := range d.tags {
			f["tag:"+t] = true
		}
		if !add(store.EntityDeal, d.id, f) {
			return
		}
	}
	// One generator, reseeded per entry, renders the texts without allocating.
	pcg := rand.NewPCG(0, 0)
	tc := textCtx{r: rand.New(pcg)}
	for i := range g.entries {
		e := &g.entries[i]
		var contactID, dealID any
		if e.contact >= 0 {
			contactID = g.contacts[e.contact].id
		}
		if e.deal >= 0 {
			dealID = g.deals[e.deal].id
		}
		f := store.Fields{"kind": entryKinds[e.kind], "occurred_at": ts(e.at), "text": g.entryText(e, pcg, &tc),
			"contact_id": contactID, "company_id": g.companyID(e.company), "deal_id": dealID, "created_at": ts(e.created)}
		if e.kind == kindStageChange { // the stages by id, as MoveDeal records them
			f["from_stage"], f["to_stage"] = g.stages[e.from].ID, g.stages[e.to].ID
		}
		if !add(store.EntityInteraction, formatUUID(e.id), f) {
			return
		}
	}
	for i := range g.followUps {
		u := &g.followUps[i]
		var dealID, doneAt any
		if u.deal >= 0 {
			dealID = g.deals[u.deal].id
		}
		if u.done != 0 {
			doneAt = ts(u.done)
		}
		f := store.Fields{"title": u.title, "due_at": ts(u.due), "all_day": u.allDay, "contact_id": g.contacts[u.contact].id,
			"deal_id": dealID, "done_at": doneAt, "created_at": ts(u.created)}
		if !add(store.EntityFollowUp, u.id, f) {
			return
		}
	}
	if len(batch) > 0 {
		emit(batch)
	}
}

func (g *gen) companyID(i int32) any {
	if i < 0 {
		return nil
	}
	return g.companies[i].id
}

func (g *gen) entryText(e *entry, pcg *rand.PCG, tc *textCtx) string {
	switch e.kind {
	case kindStageChange:
		return "Stage: " + g.stages[e.from].Name + " → " + g.stages[e.to].Name
	case kindStatusChange:
		d := &g.deals[e.deal]
		if d.status == store.StatusWon {
			return "Won: " + store.Money{Amount: d.value, Currency: d.currency}.String()
		}
		return "Lost: " + d.lostReason
	}
	pcg.Seed(e.seed, 0x74657874) // "text"
	c := &g.contacts[e.contact]
	tc.first, tc.company, tc.city, tc.industry, tc.currency = c.first, c.companyShort, c.city, c.industry, c.currency
	return tc.render(tc.pick(kindTemplates[entryKinds[e.kind]]))
}

// ts renders a Unix millisecond time the way the store keeps times.
func ts(ms int64) string { return store.FormatTime(time.UnixMilli(ms)) }
