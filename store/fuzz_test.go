package store

import (
	"context"
	"errors"
	"net/mail"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

var fuzzQueries = []string{
	"", "ada", "Ada Lovelace", "zoë", `"`, `""`, `"ada`, "AND", "ada OR bob", "NOT x", "*", "ada*", "NEAR(", "NEAR(a b, 2)",
	"name:ada", "{name}: x", "^x", "-x", "+x", "(", ")", "a'b", `\`, "🙂", "日本語", "ǅ", "ﬁ", "ⅷ", "x²", "٣", "\x00", "\xff",
	"ada@example.com", "+1 (555) 010-2030", "a\u0301", "\u0301", "\u200b", "a\u200db", "\U000e0041", "ꙮ", "𝔞𝔟", "ᄀ", "ㄱ",
	"\U0001F1FA\U0001F1F8", "\u3000", "ß", "İ", "ﷺ", "𓀀", "\U00016FE0",
}

// FuzzFTSQuery checks that whatever a person types, the query ftsQuery builds never makes
// FTS5 fail, in any search table, alone or under the column filter Resolve adds.
func FuzzFTSQuery(f *testing.F) {
	for _, q := range fuzzQueries {
		f.Add(q)
	}
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(f.TempDir(), "rolo.db"), Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { db.Close() })
	c, err := db.CreateContact(ctx, ContactInput{Name: "Zoë Ångström", Company: "日本 Co", Emails: []Email{{Email: "zoe@example.com"}},
		Phones: []Phone{{Phone: "+1 555 0100"}}, Tags: []string{"vip"}})
	if err != nil {
		f.Fatal(err)
	}
	if _, err := db.LogInteraction(ctx, InteractionInput{Kind: "note", Text: "NEAR the AND of 𝔞𝔟 x² ﬁnance", ContactID: c.ID}); err != nil {
		f.Fatal(err)
	}
	tables := []string{"contacts_fts", "companies_fts", "deals_fts", "interactions_fts", "follow_ups_fts"}
	f.Fuzz(func(t *testing.T, s string) {
		q := ftsQuery(s)
		if q == "" {
			if _, err := db.Search(ctx, s, 5); !errors.Is(err, ErrInvalid) {
				t.Fatalf("Search(%q) with no words = %v, want ErrInvalid", s, err)
			}
			return
		}
		for _, table := range tables {
			var n int
			if err := db.sql.QueryRowContext(ctx, "SELECT count(*) FROM "+table+" WHERE "+table+" MATCH ?", q).Scan(&n); err != nil {
				t.Fatalf("%s MATCH %q (from %q): %v", table, q, s, err)
			}
		}
		// The timeline's query expands prefixes into words: it must be valid too.
		if _, err := db.Search(ctx, s, 5); err != nil {
			t.Fatalf("Search(%q): %v", s, err)
		}
		for _, col := range []string{"name", "title"} {
			table := map[string]string{"name": "contacts_fts", "title": "deals_fts"}[col]
			var n int
			if err := db.sql.QueryRowContext(ctx, "SELECT count(*) FROM "+table+" WHERE "+table+" MATCH ?", col+" : ("+q+")").Scan(&n); err != nil {
				t.Fatalf("%s MATCH %s : (%q) (from %q): %v", table, col, q, s, err)
			}
		}
		if _, err := db.Search(ctx, s, 5); err != nil {
			t.Fatalf("Search(%q): %v", s, err)
		}
		_, err := db.Resolve(ctx, s, ResolveOptions{Deleted: true})
		var amb *AmbiguousError
		if err != nil && !errors.Is(err, ErrNotFound) && !errors.Is(err, ErrInvalid) && !errors.As(err, &amb) {
			t.Fatalf("Resolve(%q): %v", s, err)
		}
	})
}

// FuzzParseAmount checks that ParseAmount never panics, never returns a negative amount,
// and that what FormatAmount renders parses back to the same amount.
func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{"12000", "12000.50", "12,000.50", "0.5", ".5", "5.", ".", "-1", "1e5", "999999999999999", "9999999999999999",
		"1_000", " 7 ", "0x10", "١٢", "1.2.3", "00012", "+3", ",", "1,,2"} {
		for _, c := range []byte{0, 1, 2, 3} {
			f.Add(s, c)
		}
	}
	codes := []string{"USD", "JPY", "KWD", "EUR"}
	f.Fuzz(func(t *testing.T, s string, c byte) {
		cur := codes[int(c)%len(codes)]
		n, err := ParseAmount(s, cur)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("ParseAmount(%q, %s) error %v is not ErrInvalid", s, cur, err)
			}
			return
		}
		if n < 0 {
			t.Fatalf("ParseAmount(%q, %s) = %d", s, cur, n)
		}
		out := FormatAmount(n, cur)
		back, err := ParseAmount(out, cur)
		if err != nil || back != n {
			t.Fatalf("ParseAmount(%q, %s) = %d; FormatAmount = %q; parsed back %d, %v", s, cur, n, out, back, err)
		}
		if m := (Money{n, cur}).String(); m != out+" "+cur {
			t.Fatalf("Money.String = %q", m)
		}
	})
}

// FuzzValidEmail checks that ValidEmail never panics and accepts only one plain address.
func FuzzValidEmail(f *testing.F) {
	for _, s := range []string{"ada@example.com", "a.b+c@sub.example.co.uk", "", "@", "a@b", "a@b.", "a@b.c", "Ada <a@b.c>", `"a b"@c.d`,
		"a@[1.2.3.4]", "a@b@c.d", "é@ü.de", "a@b.c\n", "a\x00@b.c", strings.Repeat("a", 300) + "@b.co"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !ValidEmail(s) {
			return
		}
		a, err := mail.ParseAddress(s)
		if err != nil || a.Address != s || a.Name != "" {
			t.Fatalf("ValidEmail(%q) but ParseAddress = %+v, %v", s, a, err)
		}
		at := strings.LastIndexByte(s, '@')
		if at <= 0 || !strings.Contains(s[at+1:], ".") || strings.ContainsAny(s, " <>\"\t\r\n") || !utf8.ValidString(s) {
			t.Fatalf("ValidEmail(%q) accepts a malformed address", s)
		}
		if len(s) > 254 {
			t.Fatalf("ValidEmail accepts a %d-byte address", len(s))
		}
		if err := validateEmails([]Email{{Email: s}, {Email: strings.ToUpper(s)}}); err == nil {
			t.Fatalf("the same address twice in different case was accepted: %q", s)
		}
	})
}

// FuzzPhoneDigits checks PhoneDigits and ValidPhone: no panics, only digits and a leading
// plus come out, the result is stable, and every valid number has digits to match on.
func FuzzPhoneDigits(f *testing.F) {
	for _, s := range []string{"+1 (555) 010-2030", " +44 20 7946 0018 ", "555.0100 ext. 12", "++1", "1+2", "", "+", "٣٤٥٦", "x",
		"12", "123", strings.Repeat("1", 21), "(((555)))", "+\u00a01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d := PhoneDigits(s)
		for i, r := range d {
			if (r < '0' || r > '9') && !(r == '+' && i == 0) {
				t.Fatalf("PhoneDigits(%q) = %q holds %q", s, d, r)
			}
		}
		if PhoneDigits(d) != d {
			t.Fatalf("PhoneDigits is not stable: %q -> %q -> %q", s, d, PhoneDigits(d))
		}
		if !ValidPhone(s) {
			return
		}
		n := len(strings.TrimPrefix(d, "+"))
		if n < 3 || n > 20 {
			t.Fatalf("ValidPhone(%q) but it has %d digits (%q)", s, n, d)
		}
		if len(s) > 64 {
			t.Fatalf("ValidPhone accepts %d bytes", len(s))
		}
		if !ValidPhone(d) {
			t.Fatalf("ValidPhone(%q) but not its digits %q", s, d)
		}
	})
}
