// Package vcard reads vCard 2.1, 3.0 and 4.0 files into contacts to import, and writes
// rolo's contacts as vCard 4.0 (or 3.0).
//
// The reader is written for the vCards found in the wild rather than for one RFC: folded
// lines, vCard 2.1's QUOTED-PRINTABLE values (with their soft line breaks) in any
// CHARSET, bare 2.1 types (TEL;CELL), Apple's itemN. groups with X-ABLabel, several
// EMAIL, TEL and ADR with their TYPE labels, and PHOTO and other binary values, which are
// dropped. A card it cannot read is skipped with the reason; it never stops the others.
package vcard

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/rolo-crm/rolo/store"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
)

// Source namespaces the UIDs of imported cards (store.ImportOptions.Source).
const Source = "vcard"

// prop is one content line of a card.
type prop struct {
	line   int
	group  string // Apple's "item1", lower case
	name   string // upper case
	params map[string][]string
	raw    []byte // the value as written (after unfolding)
}

func (p *prop) param(name string) []string { return p.params[name] }

// types are the TYPE values of the property, lower case, one per element (TYPE=WORK,FAX
// and 2.1's bare TEL;WORK;FAX both give work, fax).
func (p *prop) types() []string {
	var out []string
	for _, v := range p.params["TYPE"] {
		for _, t := range strings.Split(v, ",") {
			if t = strings.ToLower(strings.TrimSpace(t)); t != "" {
				out = append(out, t)
			}
		}
	}
	return out
}

// card is the content lines of one BEGIN:VCARD … END:VCARD.
type card struct {
	line  int
	props []*prop
	bad   string
}

// ReadFile reads a .vcf file, or every .vcf and .vcard file under a directory (in name
// order), into import items.
func ReadFile(path string) ([]store.ImportItem, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		return Read(b, filepath.Base(path))
	}
	var files []string
	err = filepath.WalkDir(path, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		ext := strings.ToLower(filepath.Ext(p))
		if !d.IsDir() && (ext == ".vcf" || ext == ".vcard") {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	if len(files) == 0 {
		return nil, fmt.Errorf("%w: %s holds no .vcf files", store.ErrInvalid, path)
	}
	var items []store.ImportItem
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		rel, _ := filepath.Rel(path, f)
		its, err := Read(b, rel)
		if err != nil {
			return nil, err
		}
		items = append(items, its...)
	}
	return items, nil
}

// Read parses the cards of one file; name is the file's name for messages. Each card
// becomes an item: a contact, or a skip with its reason. It fails only when the data
// holds no card at all.
func Read(data []byte, name string) ([]store.ImportItem, error) {
	data = decodeBOM(data)
	cards := split(data)
	if len(cards) == 0 {
		return nil, fmt.Errorf("%w: %s holds no vCard (no BEGIN:VCARD line)", store.ErrInvalid, name)
	}
	items := make([]store.ImportItem, 0, len(cards))
	for _, c := range cards {
		it := store.ImportItem{File: name, Line: c.line}
		if c.bad != "" {
			it.Skip = c.bad
		} else {
			it.Contact = c.contact()
		}
		items = append(items, it)
	}
	return items, nil
}

// decodeBOM turns UTF-16 (with its byte-order mark) into UTF-8 and drops a UTF-8 mark.
// Other bytes are kept: a 2.1 card may declare its own CHARSET.
func decodeBOM(b []byte) []byte {
	switch {
	case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
		return b[3:]
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}), bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		be := b[0] == 0xFE
		b = b[2:]
		units := make([]uint16, len(b)/2)
		for i := range units {
			if be {
				units[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
			} else {
				units[i] = uint16(b[2*i]) | uint16(b[2*i+1])<<8
			}
		}
		return []byte(string(utf16.Decode(units)))
	}
	return b
}

// physical splits data into lines, whatever the line ends.
func physical(data []byte) [][]byte {
	var lines [][]byte
	for len(data) > 0 {
		i := bytes.IndexAny(data, "\r\n")
		if i < 0 {
			lines = append(lines, data)
			break
		}
		lines = append(lines, data[:i])
		if data[i] == '\r' && i+1 < len(data) && data[i+1] == '\n' {
			i++
		}
		data = data[i+1:]
	}
	return lines
}

// isQP reports whether the content line's parameters ask for quoted-printable.
func isQP(head []byte) bool {
	return bytes.Contains(bytes.ToUpper(head), []byte("QUOTED-PRINTABLE"))
}

// split unfolds the lines and groups them into cards.
func split(data []byte) []*card {
	lines := physical(data)
	var cards []*card
	var cur *card
	depth := 0
	for i := 0; i < len(lines); i++ {
		start := i + 1
		line := append([]byte(nil), lines[i]...)
		// Unfold: a following line that starts with a space or tab continues this one;
		// a quoted-printable value that ends in "=" continues on the next line as it is.
		for i+1 < len(lines) {
			next := lines[i+1]
			colon := bytes.IndexByte(line, ':')
			if colon > 0 && isQP(line[:colon]) && bytes.HasSuffix(line, []byte("=")) {
				line = append(line[:len(line)-1], bytes.TrimLeft(next, " \t")...)
				i++
				continue
			}
			if len(next) > 0 && (next[0] == ' ' || next[0] == '\t') {
				line = append(line, next[1:]...)
				i++
				continue
			}
			break
		}
		text := strings.TrimSpace(string(line))
		upper := strings.ToUpper(text)
		switch {
		case upper == "BEGIN:VCARD":
			if cur != nil {
				depth++ // a card inside a card (2.1's AGENT): skipped with its parent's lines
				continue
			}
			cur = &card{line: start}
			cards = append(cards, cur)
			continue
		case upper == "END:VCARD":
			if depth > 0 {
				depth--
				continue
			}
			if cur != nil && cur.bad == "" && len(cur.props) == 0 {
				cur.bad = "empty card"
			}
			cur = nil
			continue
		}
		if cur == nil || depth > 0 || text == "" || cur.bad != "" {
			continue
		}
		p, err := parseLine(bytes.TrimRight(line, " \t"), start)
		if err != "" {
			cur.bad = fmt.Sprintf("line %d: %s", start, err)
			continue
		}
		cur.props = append(cur.props, p)
	}
	if cur != nil && cur.bad == "" {
		cur.bad = "no END:VCARD"
	}
	return cards
}

// parseLine reads "group.NAME;PARAM=a,b;BARE:value".
func parseLine(line []byte, n int) (*prop, string) {
	colon, quoted := -1, false
	for i, c := range line {
		if c == '"' {
			quoted = !quoted
		} else if c == ':' && !quoted {
			colon = i
			break
		}
	}
	if colon <= 0 {
		return nil, `malformed line (no "name:value")`
	}
	head := string(line[:colon])
	p := &prop{line: n, params: map[string][]string{}, raw: line[colon+1:]}
	parts := splitUnquoted(head, ';')
	name := strings.TrimSpace(parts[0])
	if g, nm, ok := strings.Cut(name, "."); ok {
		p.group, name = strings.ToLower(g), nm
	}
	p.name = strings.ToUpper(name)
	if p.name == "" {
		return nil, "malformed line (no property name)"
	}
	for _, par := range parts[1:] {
		k, v, ok := strings.Cut(par, "=")
		k = strings.ToUpper(strings.TrimSpace(k))
		if !ok {
			// vCard 2.1: a bare value is a TYPE, or the encoding.
			switch k {
			case "QUOTED-PRINTABLE", "BASE64", "8BIT", "7BIT", "B":
				p.params["ENCODING"] = append(p.params["ENCODING"], k)
			default:
				p.params["TYPE"] = append(p.params["TYPE"], k)
			}
			continue
		}
		for _, x := range splitUnquoted(v, ',') {
			x = strings.Trim(strings.TrimSpace(x), `"`)
			if k == "ENCODING" || k == "CHARSET" || k == "VALUE" {
				x = strings.ToUpper(x)
			}
			p.params[k] = append(p.params[k], x)
		}
	}
	return p, ""
}

func splitUnquoted(s string, sep byte) []string {
	var out []string
	quoted, start := false, 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '"':
			quoted = !quoted
		case s[i] == sep && !quoted:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// binary reports whether the value is encoded binary data (a photo, a sound, a key).
func (p *prop) binary() bool {
	for _, e := range p.params["ENCODING"] {
		if e == "B" || e == "BASE64" {
			return true
		}
	}
	return false
}

// text decodes the value's bytes: quoted-printable, then its CHARSET (UTF-8 when none is
// given, or Windows-1252 for bytes that are not UTF-8).
func (p *prop) text() string {
	b := p.raw
	for _, e := range p.params["ENCODING"] {
		if e == "QUOTED-PRINTABLE" {
			b = decodeQP(b)
		}
	}
	if cs := p.params["CHARSET"]; len(cs) > 0 && !strings.EqualFold(cs[0], "UTF-8") {
		if enc, err := htmlindex.Get(cs[0]); err == nil {
			if d, err := enc.NewDecoder().Bytes(b); err == nil {
				return strings.ReplaceAll(string(d), "\r\n", "\n")
			}
		}
	}
	if utf8.Valid(b) {
		return strings.ReplaceAll(string(b), "\r\n", "\n")
	}
	d, err := charmap.Windows1252.NewDecoder().Bytes(b)
	if err != nil {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	return string(d)
}

// decodeQP decodes quoted-printable leniently: an "=" not followed by two hex digits is
// kept as it is.
func decodeQP(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		if b[i] == '=' && i+2 < len(b) {
			var x [1]byte
			if _, err := hex.Decode(x[:], b[i+1:i+3]); err == nil {
				out = append(out, x[0])
				i += 2
				continue
			}
		}
		out = append(out, b[i])
	}
	return out
}

// unescape undoes vCard text escaping: \n and \N are line breaks; \\, \, and \; stand
// for themselves.
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			switch s[i+1] {
			case 'n', 'N':
				b.WriteByte('\n')
				i++
				continue
			case '\\', ',', ';', ':':
				b.WriteByte(s[i+1])
				i++
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// components splits a structured value (N, ADR, ORG) at unescaped separators and
// unescapes each part.
func components(s string, sep byte) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' {
			i++
			continue
		}
		if s[i] == sep {
			out = append(out, unescape(s[start:i]))
			start = i + 1
		}
	}
	return append(out, unescape(s[start:]))
}

// label is the label of an EMAIL or TEL: Apple's X-ABLabel of its group, else its TYPE
// values that say something ("work", "mobile", "work fax"), without the technical ones.
func (c *card) label(p *prop) string {
	if p.group != "" {
		for _, q := range c.props {
			if q.group == p.group && q.name == "X-ABLABEL" {
				return appleLabel(unescape(q.text()))
			}
		}
	}
	var words []string
	for _, t := range p.types() {
		switch t {
		case "internet", "pref", "voice", "x400", "msg", "bbs", "modem", "video", "pcs", "text", "textphone", "dom", "intl", "postal", "parcel":
			continue
		case "cell", "iphone":
			t = "mobile"
		}
		t = strings.TrimPrefix(t, "x-")
		if !slices.Contains(words, t) {
			words = append(words, t)
		}
	}
	return strings.Join(words, " ")
}

// appleLabel reads Apple's "_$!<Mobile>!$_" (a standard label) or a custom label.
func appleLabel(s string) string {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "_$!<") && strings.HasSuffix(s, ">!$_") {
		return strings.ToLower(s[4 : len(s)-4])
	}
	return s
}

func (p *prop) preferred() bool {
	for _, v := range p.params["PREF"] {
		if v == "1" {
			return true
		}
	}
	return slices.Contains(p.types(), "pref")
}

// contact turns a card into a contact to import.
func (c *card) contact() *store.ImportContact {
	ic := &store.ImportContact{}
	var notes []string
	var birthday, family, given string
	adr, label := "", ""
	for _, p := range c.props {
		if p.binary() {
			continue // PHOTO, LOGO, SOUND, KEY: dropped
		}
		switch p.name {
		case "FN":
			ic.Name = unescape(p.text())
		case "N":
			n := components(p.text(), ';')
			for len(n) < 5 {
				n = append(n, "")
			}
			family, given = strings.TrimSpace(n[0]), strings.TrimSpace(n[1])
		case "ORG":
			ic.Company = strings.TrimSpace(components(p.text(), ';')[0])
		case "TITLE":
			ic.Title = unescape(p.text())
		case "NOTE":
			notes = append(notes, unescape(p.text()))
		case "EMAIL":
			e := store.Email{Email: strings.TrimSpace(unescape(p.text())), Label: c.label(p)}
			if p.preferred() {
				ic.Emails = append([]store.Email{e}, ic.Emails...)
			} else {
				ic.Emails = append(ic.Emails, e)
			}
		case "TEL":
			ph := store.Phone{Phone: strings.TrimSpace(unescape(p.text())), Label: c.label(p)}
			if p.preferred() {
				ic.Phones = append([]store.Phone{ph}, ic.Phones...)
			} else {
				ic.Phones = append(ic.Phones, ph)
			}
		case "ADR":
			if adr == "" || p.preferred() {
				if l := p.param("LABEL"); len(l) > 0 && l[0] != "" {
					adr = strings.ReplaceAll(l[0], "^n", "\n")
				} else {
					adr = formatADR(components(p.text(), ';'))
				}
			}
		case "LABEL":
			if label == "" {
				label = unescape(p.text())
			}
		case "CATEGORIES":
			ic.Tags = append(ic.Tags, components(p.text(), ',')...)
		case "BDAY":
			birthday = unescape(p.text())
		case "UID":
			uid := strings.TrimSpace(unescape(p.text()))
			ic.ExternalID = uid
			if id := strings.TrimPrefix(strings.ToLower(uid), "urn:uuid:"); id != strings.ToLower(uid) || len(id) == 36 {
				ic.ID = id // a rolo id (store.Import keeps it only if it is one)
			}
		case "X-ROLO-SOURCE":
			ic.Source = unescape(p.text())
		case "X-ROLO-CADENCE-DAYS":
			fmt.Sscan(p.text(), &ic.CadenceDays)
		case "X-ROLO-VISIBILITY":
			ic.Visibility = unescape(p.text())
		}
	}
	// FN is the name people see; N says where it splits. When FN is not N's given and
	// family names (it has a middle name, or is a nickname), FN wins.
	switch full := strings.Join(strings.Fields(given+" "+family), " "); {
	case ic.Name == "" || strings.EqualFold(strings.Join(strings.Fields(ic.Name), " "), full):
		ic.FirstName, ic.LastName = given, family
	case family != "" && strings.HasSuffix(ic.Name, " "+family):
		ic.FirstName, ic.LastName = strings.TrimSuffix(ic.Name, " "+family), family
	}
	if adr == "" {
		adr = label
	}
	ic.Address = adr
	if birthday != "" {
		notes = append(notes, "Birthday: "+birthday)
	}
	ic.Notes = strings.Join(notes, "\n\n")
	return ic
}

// formatADR joins the parts of an ADR (PO box; extended; street; locality; region; postal
// code; country) the way the CSV reader does: "Street, City, Region 12345, Country".
func formatADR(c []string) string {
	for len(c) < 7 {
		c = append(c, "")
	}
	var parts []string
	add := func(s string) {
		if s = strings.TrimSpace(s); s != "" {
			parts = append(parts, s)
		}
	}
	add(c[2])
	add(c[1])
	if strings.TrimSpace(c[0]) != "" {
		add("PO Box " + c[0])
	}
	add(c[3])
	add(strings.TrimSpace(c[4]) + " " + strings.TrimSpace(c[5]))
	add(c[6])
	return strings.Join(parts, ", ")
}
