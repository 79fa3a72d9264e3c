package demo

// The word lists the generator draws from. They are long enough that 100,000 contacts
// look varied, and international on purpose: names with diacritics exercise search
// (remove_diacritics) and the ASCII folding of email addresses.

var firstNames = []string{
	"James", "Mary", "Robert", "Patricia", "Michael", "Jennifer", "David", "Linda", "William", "Elizabeth",
	"Richard", "Barbara", "Joseph", "Susan", "Thomas", "Jessica", "Christopher", "Sarah", "Daniel", "Karen",
	"Matthew", "Emily", "Anthony", "Olivia", "Mark", "Emma", "Steven", "Ava", "Andrew", "Sophia",
	"Joshua", "Isabella", "Kevin", "Mia", "Brian", "Charlotte", "George", "Amelia", "Edward", "Harper",
	"Ryan", "Abigail", "Jacob", "Ella", "Nicholas", "Grace", "Eric", "Chloe", "Jonathan", "Nora",
	"Noah", "Liam", "Oliver", "Elijah", "Lucas", "Ethan", "Leah", "Hazel", "Samuel", "Ruby",
	"Zoë", "Søren", "José", "María", "François", "Chloé", "Renée", "Amélie", "Hélène", "Jérôme",
	"Björn", "Åsa", "Maja", "Lars", "Ingrid", "Sven", "Freja", "Mads", "Niels", "Kirsten",
	"Jürgen", "Jörg", "Günther", "Lukas", "Lena", "Anja", "Felix", "Sophie", "Hannah", "Matthias",
	"Miguel", "Lucía", "Sofía", "Javier", "Álvaro", "Inés", "Carmen", "Pablo", "Núria", "Jordi",
	"João", "Conceição", "Gonçalo", "Beatriz", "Giulia", "Alessandro", "Francesca", "Matteo", "Chiara", "Lorenzo",
	"Łukasz", "Małgorzata", "Zofia", "Wojciech", "Agnieszka", "Tomáš", "Jiří", "Zuzana", "Ondřej", "Dorota",
	"Aoife", "Siobhán", "Seán", "Niamh", "Ciarán", "Priya", "Arjun", "Ananya", "Rohan", "Aarav",
	"Kavya", "Wei", "Mei", "Jun", "Xin", "Haruto", "Yuki", "Sakura", "Hiroshi", "Kenji",
	"Min-jun", "Ji-woo", "Seo-yeon", "Thanh", "Linh", "Oluwaseun", "Chidi", "Amara", "Kwame", "Ayodele",
	"Fatima", "Omar", "Layla", "Yusuf", "Aisha", "Mehmet", "Elif", "Emre", "Zeynep", "Dmitri",
	"Olga", "Anastasia", "Nikolai", "Eleni", "Giorgos", "Ilse", "Henk", "Sanne", "Daan", "Thijs",
	"Mirjam", "Aleksander", "Katarzyna", "Rafael", "Camila", "Mateo", "Valentina", "Diego", "Gabriela", "Ana",
	"Luis", "Jean-Luc", "Marie-Claire", "Anne-Sophie", "Karl-Heinz", "Ólafur", "Guðrún", "Eitan", "Noa", "Tamar",
	"Kai", "Leilani", "Mateus", "Thiago", "Bongani", "Naledi", "Sipho", "Zanele", "Hamid", "Parisa",
}

var lastNames = []string{
	"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
	"Hernández", "López", "González", "Wilson", "Anderson", "Taylor", "Moore", "Jackson", "Martin", "Lee",
	"Pérez", "Thompson", "White", "Harris", "Sánchez", "Clark", "Ramírez", "Lewis", "Robinson", "Walker",
	"Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green",
	"Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "Bennett",
	"Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann",
	"Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann",
	"Braun", "Krüger", "Hartmann", "Lange", "Dubois", "Lefèvre", "Moreau", "Laurent", "Girard", "Bonnet",
	"Dupont", "Lambert", "Fontaine", "Rousseau", "Vincent", "Jensen", "Nielsen", "Hansen", "Pedersen", "Andersen",
	"Christensen", "Larsen", "Sørensen", "Rasmussen", "Jørgensen", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson",
	"Olsson", "Persson", "Svensson", "Gustafsson", "Lindqvist", "Åkesson", "Öberg", "Ødegaard", "Bakker", "de Vries",
	"van Dijk", "Jansen", "Visser", "Smit", "de Jong", "van den Berg", "Rossi", "Russo", "Ferrari", "Esposito",
	"Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco", "Kowalski", "Nowak", "Wiśniewski", "Wójcik",
	"Kowalczyk", "Kamiński", "Lewandowski", "Zieliński", "Dvořák", "Novák", "Svoboda", "Černý", "O'Brien", "O'Sullivan",
	"Murphy", "Kelly", "Byrne", "Walsh", "McCarthy", "Patel", "Sharma", "Singh", "Kumar", "Gupta",
	"Reddy", "Iyer", "Chen", "Wang", "Li", "Zhang", "Liu", "Yang", "Huang", "Zhao",
	"Tanaka", "Suzuki", "Takahashi", "Watanabe", "Itō", "Yamamoto", "Nakamura", "Kim", "Park", "Choi",
	"Trần", "Lê", "Phạm", "Nguyễn", "Okafor", "Adeyemi", "Mensah", "Okonkwo", "Haddad", "Khoury",
	"Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Ivanov", "Petrov", "Popescu", "Papadopoulos", "Nagy",
	"Horváth", "Kovács", "Silva", "Santos", "Oliveira", "Souza", "Pereira", "Costa", "Fernández", "Gómez",
	"Díaz", "Ruiz", "Álvarez", "Jiménez", "Moreno", "Muñoz", "Romero", "Navarro", "Guðmundsson", "Þórsdóttir",
	"Cohen", "Levi", "Dlamini", "Nkosi", "Rahimi", "Hosseini", "Kealoha", "Fitzgerald", "MacLeod", "Ó Briain",
}

// Company names are built from these parts.
var (
	companyAdjectives = []string{
		"Blue", "Red", "Silver", "Golden", "North", "South", "East", "West", "Bright", "Clear",
		"Swift", "True", "High", "Deep", "Green", "Iron", "Stone", "Cedar", "Maple", "Oak",
		"Pine", "River", "Lake", "Summit", "Harbor", "Atlas", "Nova", "Polar", "Solar", "Lunar",
		"Vertex", "Apex", "Quantum", "Crystal", "Amber", "Copper", "Granite", "Willow", "Falcon", "Orbit",
		"Nordic", "Alpine", "Coastal", "Urban", "Prairie", "Meridian", "Zenith", "Cobalt", "Scarlet", "Ivory",
	}
	companyNouns = []string{
		"peak", "field", "bridge", "stone", "wave", "path", "point", "gate", "light", "works",
		"line", "forge", "craft", "side", "view", "wood", "land", "port", "ridge", "stream",
		"leaf", "star", "hill", "rock", "mark", "spring", "haven", "crest", "vale", "ford",
	}
	// industries pairs a word used in company names with the tag it implies.
	industries = []struct{ word, tag string }{
		{"Analytics", "saas"}, {"Logistics", "logistics"}, {"Robotics", "robotics"}, {"Health", "healthcare"},
		{"Foods", "food"}, {"Energy", "energy"}, {"Capital", "finance"}, {"Systems", "saas"},
		{"Software", "saas"}, {"Labs", "biotech"}, {"Consulting", "consulting"}, {"Media", "media"},
		{"Studios", "media"}, {"Solutions", "consulting"}, {"Partners", "consulting"}, {"Networks", "telecom"},
		{"Dynamics", "engineering"}, {"Industries", "manufacturing"}, {"Biotech", "biotech"}, {"Pharma", "pharma"},
		{"Retail", "retail"}, {"Motors", "automotive"}, {"Textiles", "manufacturing"}, {"Airways", "travel"},
		{"Insurance", "insurance"}, {"Learning", "education"}, {"Security", "security"}, {"Cloud", "saas"},
		{"Data", "saas"}, {"Design", "design"}, {"Architects", "design"}, {"Engineering", "engineering"},
		{"Manufacturing", "manufacturing"}, {"Supply", "logistics"}, {"Medical", "healthcare"}, {"Therapeutics", "pharma"},
		{"Marine", "marine"}, {"Agritech", "agriculture"}, {"Games", "gaming"}, {"Payments", "fintech"},
		{"Bank", "finance"}, {"Hotels", "hospitality"}, {"Travel", "travel"}, {"Construction", "construction"},
		{"Brewing", "food"}, {"Fashion", "retail"}, {"Telecom", "telecom"}, {"Semiconductors", "hardware"},
		{"Devices", "hardware"}, {"Legal", "legal"},
	}
	companyExtraTags = []string{"customer", "prospect", "partner", "churned", "reseller", "strategic", "key-account", "public-sector"}
	companySizeTags  = []string{"smb", "smb", "smb", "mid-market", "mid-market", "enterprise"}
)

// countries give companies a coherent address, phone number, web domain and currency.
type country struct {
	name     string
	weight   int
	tlds     []string
	currency string
	suffixes []string // legal forms
	cities   []city
	streets  []string
	landline func(g *gen) string
	mobile   func(g *gen) string
	address  func(g *gen, co *country, c city) string
}

type city struct{ name, region, postcode string }

var countries = []country{
	{
		name: "USA", weight: 55, tlds: []string{".com", ".com", ".com", ".io", ".co", ".net"}, currency: "USD",
		suffixes: []string{"Inc.", "LLC", "Corp.", "", "", ""},
		cities: []city{
			{"San Francisco", "CA", "941"}, {"New York", "NY", "100"}, {"Austin", "TX", "787"}, {"Seattle", "WA", "981"},
			{"Boston", "MA", "021"}, {"Chicago", "IL", "606"}, {"Denver", "CO", "802"}, {"Atlanta", "GA", "303"},
			{"Portland", "OR", "972"}, {"Miami", "FL", "331"}, {"Minneapolis", "MN", "554"}, {"Raleigh", "NC", "276"},
			{"San Diego", "CA", "921"}, {"Pittsburgh", "PA", "152"}, {"Salt Lake City", "UT", "841"}, {"Nashville", "TN", "372"},
		},
		streets:  []string{"Market Street", "Main Street", "Broadway", "Elm Street", "Oak Avenue", "Mission Street", "5th Avenue", "Pine Street", "Lake Shore Drive", "Sunset Boulevard", "Congress Avenue", "Peachtree Road"},
		landline: func(g *gen) string { return "+1 " + g.pick(usAreas) + "-555-" + g.digits(4) },
		mobile:   func(g *gen) string { return "(" + g.pick(usAreas) + ") 555-" + g.digits(4) },
		address: func(g *gen, co *country, c city) string {
			return g.num(10, 9999) + " " + g.pick(co.streets) + ", " + c.name + ", " + c.region + " " + c.postcode + g.digits(2) + ", USA"
		},
	},
	{
		name: "United Kingdom", weight: 11, tlds: []string{".co.uk", ".co.uk", ".com", ".io"}, currency: "GBP",
		suffixes: []string{"Ltd", "Ltd", "plc", "LLP", ""},
		cities: []city{
			{"London", "", "EC1A"}, {"Manchester", "", "M1"}, {"Edinburgh", "", "EH1"}, {"Bristol", "", "BS1"},
			{"Leeds", "", "LS1"}, {"Cambridge", "", "CB2"}, {"Glasgow", "", "G1"}, {"Birmingham", "", "B1"},
		},
		streets:  []string{"High Street", "Station Road", "King's Road", "Victoria Street", "Church Lane", "Baker Street", "Deansgate", "Princes Street"},
		landline: func(g *gen) string { return "+44 20 7946 0" + g.digits(3) },
		mobile:   func(g *gen) string { return "+44 7700 900" + g.digits(3) },
		address: func(g *gen, co *country, c city) string {
			return g.num(1, 250) + " " + g.pick(co.streets) + ", " + c.name + " " + c.postcode + " " + g.num(1, 9) + string(rune('A'+g.r.IntN(26))) + string(rune('A'+g.r.IntN(26))) + ", United Kingdom"
		},
	},
	{
		name: "Germany", weight: 8, tlds: []string{".de", ".de", ".com"}, currency: "EUR",
		suffixes: []string{"GmbH", "GmbH", "AG", "GmbH & Co. KG", "SE"},
		cities: []city{
			{"Berlin", "", "10"}, {"München", "", "80"}, {"Hamburg", "", "20"}, {"Köln", "", "50"},
			{"Frankfurt am Main", "", "60"}, {"Stuttgart", "", "70"}, {"Düsseldorf", "", "40"}, {"Leipzig", "", "04"},
		},
		streets:  []string{"Friedrichstraße", "Hauptstraße", "Bahnhofstraße", "Schillerstraße", "Goethestraße", "Königsallee", "Maximilianstraße", "Lindenstraße"},
		landline: func(g *gen) string { return "+49 30 " + g.digits(7) },
		mobile:   func(g *gen) string { return "+49 151 " + g.digits(8) },
		address: func(g *gen, co *country, c city) string {
			return g.pick(co.streets) + " " + g.num(1, 180) + ", " + c.postcode + g.digits(3) + " " + c.name + ", Germany"
		},
	},
	{
		name: "France", weight: 5, tlds: []string{".fr", ".fr", ".com"}, currency: "EUR",
		suffixes: []string{"SA", "SAS", "SARL", ""},
		cities:   []city{{"Paris", "", "75"}, {"Lyon", "", "69"}, {"Marseille", "", "13"}, {"Toulouse", "", "31"}, {"Nantes", "", "44"}, {"Lille", "", "59"}},
		streets:  []string{"rue de Rivoli", "avenue des Champs-Élysées", "boulevard Haussmann", "rue de la République", "rue Sainte-Catherine", "quai des Chartrons"},
		landline: func(g *gen) string { return "+33 1 " + g.pairs(4) },
		mobile:   func(g *gen) string { return "+33 6 " + g.pairs(4) },
		address: func(g *gen, co *country, c city) string {
			return g.num(1, 120) + " " + g.pick(co.streets) + ", " + c.postcode + "0" + g.digits(2) + " " + c.name + ", France"
		},
	},
	{
		name: "Netherlands", weight: 3, tlds: []string{".nl", ".com"}, currency: "EUR",
		suffixes: []string{"B.V.", "B.V.", "N.V.", ""},
		cities:   []city{{"Amsterdam", "", "10"}, {"Rotterdam", "", "30"}, {"Utrecht", "", "35"}, {"Eindhoven", "", "56"}},
		streets:  []string{"Keizersgracht", "Herengracht", "Coolsingel", "Stationsplein", "Damrak", "Oudegracht"},
		landline: func(g *gen) string { return "+31 20 " + g.digits(3) + " " + g.digits(4) },
		mobile:   func(g *gen) string { return "+31 6 " + g.digits(4) + " " + g.digits(4) },
		address: func(g *gen, co *country, c city) string {
			return g.pick(co.streets) + " " + g.num(1, 400) + ", " + c.postcode + g.digits(2) + " " + string(rune('A'+g.r.IntN(26))) + string(rune('A'+g.r.IntN(26))) + " " + c.name + ", Netherlands"
		},
	},
	{
		name: "Spain", weight: 3, tlds: []string{".es", ".com"}, currency: "EUR",
		suffixes: []string{"S.L.", "S.A.", ""},
		cities:   []city{{"Madrid", "", "280"}, {"Barcelona", "", "080"}, {"Valencia", "", "460"}, {"Sevilla", "", "410"}, {"Bilbao", "", "480"}},
		streets:  []string{"Calle de Alcalá", "Gran Vía", "Passeig de Gràcia", "Calle Mayor", "Avenida de la Constitución", "Calle Serrano"},
		landline: func(g *gen) string { return "+34 91 " + g.digits(3) + " " + g.digits(2) + " " + g.digits(2) },
		mobile:   func(g *gen) string { return "+34 6" + g.digits(2) + " " + g.digits(3) + " " + g.digits(3) },
		address: func(g *gen, co *country, c city) string {
			return g.pick(co.streets) + ", " + g.num(1, 200) + ", " + c.postcode + g.digits(2) + " " + c.name + ", Spain"
		},
	},
	{
		name: "Ireland", weight: 1, tlds: []string{".ie", ".com"}, currency: "EUR",
		suffixes: []string{"Ltd", "DAC", ""},
		cities:   []city{{"Dublin", "", "D02"}, {"Cork", "", "T12"}, {"Galway", "", "H91"}},
		streets:  []string{"Grafton Street", "O'Connell Street", "Patrick Street", "Shop Street", "Baggot Street"},
		landline: func(g *gen) string { return "+353 1 " + g.digits(3) + " " + g.digits(4) },
		mobile:   func(g *gen) string { return "+353 87 " + g.digits(3) + " " + g.digits(4) },
		address: func(g *gen, co *country, c city) string {
			return g.num(1, 150) + " " + g.pick(co.streets) + ", " + c.name + " " + c.postcode + " " + string(rune('A'+g.r.IntN(26))) + g.digits(3) + ", Ireland"
		},
	},
	{
		name: "Sweden", weight: 2, tlds: []string{".se", ".com"}, currency: "EUR",
		suffixes: []string{"AB", "AB", ""},
		cities:   []city{{"Stockholm", "", "111"}, {"Göteborg", "", "411"}, {"Malmö", "", "211"}, {"Uppsala", "", "753"}},
		streets:  []string{"Drottninggatan", "Kungsgatan", "Storgatan", "Sveavägen", "Avenyn", "Östra Hamngatan"},
		landline: func(g *gen) string { return "+46 8 " + g.digits(3) + " " + g.digits(3) + " " + g.digits(2) },
		mobile:   func(g *gen) string { return "+46 70 " + g.digits(3) + " " + g.digits(2) + " " + g.digits(2) },
		address: func(g *gen, co *country, c city) string {
			return g.pick(co.streets) + " " + g.num(1, 120) + ", " + c.postcode + " " + g.digits(2) + " " + c.name + ", Sweden"
		},
	},
	{
		name: "Denmark", weight: 2, tlds: []string{".dk", ".com"}, currency: "EUR",
		suffixes: []string{"A/S", "ApS", ""},
		cities:   []city{{"København", "", "1"}, {"Aarhus", "", "8"}, {"Odense", "", "5"}, {"Aalborg", "", "9"}},
		streets:  []string{"Strøget", "Vesterbrogade", "Nørrebrogade", "Søndergade", "Østergade", "Åboulevarden"},
		landline: func(g *gen) string { return "+45 " + g.pairs(4) },
		mobile:   func(g *gen) string { return "+45 " + g.pairs(4) },
		address: func(g *gen, co *country, c city) string {
			return g.pick(co.streets) + " " + g.num(1, 90) + ", " + c.postcode + g.digits(3) + " " + c.name + ", Denmark"
		},
	},
	{
		name: "Canada", weight: 6, tlds: []string{".ca", ".com"}, currency: "USD",
		suffixes: []string{"Inc.", "Ltd.", ""},
		cities:   []city{{"Toronto", "ON", "M5V"}, {"Vancouver", "BC", "V6B"}, {"Montréal", "QC", "H2Y"}, {"Calgary", "AB", "T2P"}, {"Ottawa", "ON", "K1P"}},
		streets:  []string{"King Street West", "Queen Street", "Yonge Street", "Rue Sainte-Catherine", "Granville Street", "Bank Street"},
		landline: func(g *gen) string { return "+1 " + g.pick(caAreas) + " 555 " + g.digits(4) },
		mobile:   func(g *gen) string { return "+1 " + g.pick(caAreas) + "-555-" + g.digits(4) },
		address: func(g *gen, co *country, c city) string {
			return g.num(1, 2000) + " " + g.pick(co.streets) + ", " + c.name + ", " + c.region + " " + c.postcode + " " + g.digits(1) + string(rune('A'+g.r.IntN(26))) + g.digits(1) + ", Canada"
		},
	},
	{
		name: "Australia", weight: 4, tlds: []string{".com.au", ".com.au", ".com"}, currency: "USD",
		suffixes: []string{"Pty Ltd", "Pty Ltd", ""},
		cities:   []city{{"Sydney", "NSW", "2000"}, {"Melbourne", "VIC", "3000"}, {"Brisbane", "QLD", "4000"}, {"Perth", "WA", "6000"}, {"Adelaide", "SA", "5000"}},
		streets:  []string{"George Street", "Collins Street", "Queen Street", "Hay Street", "Pitt Street", "Flinders Lane"},
		landline: func(g *gen) string { return "+61 2 " + g.digits(4) + " " + g.digits(4) },
		mobile:   func(g *gen) string { return "+61 4" + g.digits(2) + " " + g.digits(3) + " " + g.digits(3) },
		address: func(g *gen, co *country, c city) string {
			return g.num(1, 500) + " " + g.pick(co.streets) + ", " + c.name + " " + c.region + " " + c.postcode + ", Australia"
		},
	},
}

var (
	usAreas = []string{"415", "212", "512", "206", "617", "312", "303", "404", "503", "305", "612", "919", "619", "412", "801", "615", "650", "646"}
	caAreas = []string{"416", "604", "514", "403", "613"}
)

var freeMailDomains = []string{"gmail.com", "gmail.com", "gmail.com", "outlook.com", "yahoo.com", "icloud.com", "proton.me", "fastmail.com", "hotmail.com", "gmx.de", "web.de", "orange.fr"}

var jobTitles = []string{
	"CEO", "CTO", "CFO", "COO", "Founder", "Co-founder", "Managing Director", "VP of Sales", "VP Engineering", "VP Marketing",
	"Head of Procurement", "Procurement Manager", "IT Director", "Director of IT", "Operations Manager", "Marketing Manager", "Head of Marketing", "Product Manager", "Senior Product Manager", "Software Engineer",
	"Staff Engineer", "Data Scientist", "Office Manager", "Account Executive", "Sales Director", "Head of Finance", "Financial Controller", "HR Manager", "Head of People", "Customer Success Manager",
	"Project Manager", "Purchasing Agent", "Chief Revenue Officer", "Engineering Manager", "Solutions Architect", "Business Analyst", "Legal Counsel", "Partner", "Consultant", "Supply Chain Manager",
	"Facilities Manager", "Executive Assistant", "CISO", "Head of Data", "Growth Lead", "Brand Manager", "Buyer", "Head of Operations", "Chief of Staff", "Regional Sales Manager",
	"Geschäftsführer", "Directeur commercial", "Responsable achats", "Jefa de compras", "Innkjøpssjef", "", "", "",
}

var leadSources = []string{
	"website", "website", "website", "referral", "referral", "event", "cold call", "linkedin", "linkedin", "partner",
	"webinar", "trade show", "newsletter", "inbound email", "google ads", "customer list",
}

var contactTags = []string{
	"vip", "decision-maker", "champion", "influencer", "technical", "budget-holder", "newsletter", "beta-tester",
	"partner", "churn-risk", "conference-2025", "webinar-attendee", "reference", "gatekeeper", "executive", "renewal",
	"former-customer", "investor", "press", "advisor",
}

var dealTags = []string{"inbound", "upsell", "cross-sell", "strategic", "new-logo", "renewal", "partner-led", "q1", "q2", "q3", "q4", "multi-year"}

var products = []string{
	"Analytics Suite", "Starter plan", "Growth plan", "Enterprise plan", "API access", "Data Connector", "Mobile SDK",
	"Premium Support", "Onboarding package", "Training workshop", "Security add-on", "Reporting module", "SSO add-on",
	"Integration services", "Cloud storage", "Team licences", "Workflow Automation", "Audit Log add-on",
}

var dealKinds = []string{"renewal", "renewal", "expansion", "pilot", "upgrade", "licence extension", "rollout", "proof of concept"}

var lostReasons = []string{
	"price", "price", "price", "went with competitor", "went with competitor", "no budget", "no budget", "timing",
	"no decision", "no decision",
}

var competitors = []string{
	"Acme Cloud", "Initech", "Globex", "Umbrella Analytics", "Hooli", "Vandelay Industries", "Soylent Systems",
	"Stark Data", "Wayne Logistics", "Tyrell Software", "Cyberdyne", "Massive Dynamic", "Oscorp", "Wonka Labs",
}

var systems = []string{
	"Salesforce", "SAP", "HubSpot", "their ERP", "Slack", "Google Workspace", "Microsoft 365", "Outlook", "Zendesk",
	"Jira", "NetSuite", "Snowflake", "Okta", "their data warehouse", "Workday", "Shopify",
}

var roles = []string{"CFO", "CEO", "CTO", "IT director", "head of procurement", "legal team", "board", "security team", "VP of sales", "COO", "finance team", "works council"}

var departments = []string{"sales", "finance", "IT", "operations", "marketing", "procurement", "engineering", "customer success", "HR", "legal", "data"}

var docs = []string{
	"proposal", "updated quote", "order form", "MSA", "DPA", "security questionnaire", "SOW", "renewal quote",
	"onboarding plan", "invoice", "product one-pager", "ROI calculator", "pricing sheet", "case study", "contract redlines",
}

var weekdays = []string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday"}

var months = []string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}

var eventsMet = []string{
	"SaaStr Europa", "Web Summit", "CES", "Hannover Messe", "VivaTech", "the Slush afterparty", "a customer dinner in Berlin",
	"our webinar on data privacy", "Dreamforce", "London Tech Week", "the Nordic Business Forum", "a partner meetup in Austin",
	"MWC Barcelona", "re:Invent", "a roundtable in Amsterdam",
}

var features = []string{
	"the dashboard builder", "scheduled exports", "role-based permissions", "the audit log", "single sign-on",
	"the mobile app", "custom fields", "the forecasting view", "bulk import", "the public API", "data residency in the EU",
	"offline mode", "the Slack integration", "usage-based billing",
}
