package store

import (
	"fmt"
	"strconv"
	"strings"
)

// Money is an amount in integer minor units of an ISO 4217 currency.
type Money struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

// currencyDigits lists ISO 4217 codes with their minor-unit digits. Codes not listed have 2.
var currencyDigits = map[string]int{
	"BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0, "PYG": 0,
	"RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
	"BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
}

// iso4217 is the set of active currency codes.
var iso4217 = func() map[string]bool {
	codes := `AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD
BTN BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD
FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES
KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR
MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB
RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD
TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG`
	m := map[string]bool{}
	for _, c := range strings.Fields(codes) {
		m[c] = true
	}
	return m
}()

// ValidCurrency reports whether code is an active ISO 4217 code (upper case).
func ValidCurrency(code string) bool { return iso4217[code] }

// MinorDigits is the number of decimal places of the currency's minor unit.
func MinorDigits(code string) int {
	if d, ok := currencyDigits[code]; ok {
		return d
	}
	return 2
}

// ParseAmount reads "12000", "12000.5", "12,000.50" into minor units of currency.
func ParseAmount(s, currency string) (int64, error) {
	orig := s
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", "")
	s = strings.ReplaceAll(s, "_", "")
	if s == "" {
		return 0, fmt.Errorf("%w: empty amount", ErrInvalid)
	}
	if strings.HasPrefix(s, "-") {
		return 0, fmt.Errorf("%w: amount %q is negative", ErrInvalid, orig)
	}
	digits := MinorDigits(currency)
	whole, frac, hasFrac := strings.Cut(s, ".")
	if whole == "" && frac == "" {
		return 0, fmt.Errorf("%w: amount %q is not a number", ErrInvalid, orig)
	}
	if whole == "" {
		whole = "0"
	}
	if hasFrac && len(frac) > digits {
		return 0, fmt.Errorf("%w: amount %q has more than %d decimals for %s", ErrInvalid, orig, digits, currency)
	}
	for _, part := range []string{whole, frac} {
		for _, r := range part {
			if r < '0' || r > '9' {
				return 0, fmt.Errorf("%w: amount %q is not a number", ErrInvalid, orig)
			}
		}
	}
	frac += strings.Repeat("0", digits-len(frac))
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil || len(whole) > 15 {
		return 0, fmt.Errorf("%w: amount %q is too large", ErrInvalid, orig)
	}
	return n, nil
}

// String renders the amount with its code, e.g. "12,000.50 EUR".
func (m Money) String() string { return FormatAmount(m.Amount, m.Currency) + " " + m.Currency }

// FormatAmount renders minor units with thousands separators and the currency's decimals.
func FormatAmount(amount int64, currency string) string {
	neg := amount < 0
	if neg {
		amount = -amount
	}
	d := MinorDigits(currency)
	s := strconv.FormatInt(amount, 10)
	if len(s) <= d {
		s = strings.Repeat("0", d-len(s)+1) + s
	}
	whole, frac := s[:len(s)-d], s[len(s)-d:]
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	out := b.String()
	if d > 0 {
		out += "." + frac
	}
	if neg {
		out = "-" + out
	}
	return out
}
