package csvio

import (
	"bytes"
	"errors"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// Encodings a file can be in, as decodeText names them.
const (
	EncodingUTF8    = "UTF-8"
	EncodingUTF8BOM = "UTF-8 with BOM"
	EncodingUTF16LE = "UTF-16LE"
	EncodingUTF16BE = "UTF-16BE"
	EncodingCP1252  = "Windows-1252"
)

// decodeText turns a file's bytes into text: UTF-8 with or without a byte-order mark,
// UTF-16 (either byte order, with its mark), and otherwise, when the bytes are not valid
// UTF-8, Windows-1252 (what Excel and Outlook write on Western Windows; it also reads
// ISO-8859-1 correctly for every letter).
func decodeText(b []byte) (string, string, error) {
	switch {
	case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
		return string(b[3:]), EncodingUTF8BOM, nil
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}):
		return decodeUTF16(b[2:], false), EncodingUTF16LE, nil
	case bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		return decodeUTF16(b[2:], true), EncodingUTF16BE, nil
	case utf8.Valid(b):
		return string(b), EncodingUTF8, nil
	}
	s, err := charmap.Windows1252.NewDecoder().Bytes(b)
	if err != nil {
		return "", "", errors.New("the file is neither UTF-8, UTF-16 nor Windows-1252 text")
	}
	return string(s), EncodingCP1252, nil
}

// decodeUTF16 decodes UTF-16 code units; a lone surrogate becomes U+FFFD and an odd last
// byte is dropped.
func decodeUTF16(b []byte, bigEndian bool) string {
	units := make([]uint16, len(b)/2)
	for i := range units {
		if bigEndian {
			units[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
		} else {
			units[i] = uint16(b[2*i]) | uint16(b[2*i+1])<<8
		}
	}
	return string(utf16.Decode(units))
}

// sniffDelimiter picks the field separator of the header line: the most frequent of
// comma, semicolon and tab outside quotes (a comma on a tie). Excel writes semicolons
// where the comma is the decimal separator.
func sniffDelimiter(line string) rune {
	counts := map[rune]int{}
	quoted := false
	for _, r := range line {
		switch {
		case r == '"':
			quoted = !quoted
		case quoted:
		case r == ',' || r == ';' || r == '\t':
			counts[r]++
		}
	}
	best := ','
	for _, r := range []rune{';', '\t'} {
		if counts[r] > counts[best] {
			best = r
		}
	}
	return best
}
