package policy

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// fromUTF16 decodes text in UTF-16 with a byte-order mark, what Windows
// PowerShell's > and Out-File write, into UTF-8 without the mark. It
// returns the byte order, "little-endian" or "big-endian", or "" when data
// does not start with a UTF-16 byte-order mark. (Neither FF FE nor FE FF
// can start UTF-8 text.)
func fromUTF16(data []byte) (string, string) {
	var order string
	var unit func(b []byte) uint16
	switch {
	case len(data) >= 2 && data[0] == 0xFF && data[1] == 0xFE:
		order, unit = "little-endian", func(b []byte) uint16 { return uint16(b[0]) | uint16(b[1])<<8 }
	case len(data) >= 2 && data[0] == 0xFE && data[1] == 0xFF:
		order, unit = "big-endian", func(b []byte) uint16 { return uint16(b[0])<<8 | uint16(b[1]) }
	default:
		return "", ""
	}
	data = data[2:]
	var b strings.Builder
	b.Grow(len(data) / 2)
	for i := 0; i+1 < len(data); i += 2 {
		u := unit(data[i:])
		if utf16.IsSurrogate(rune(u)) && i+3 < len(data) {
			if r := utf16.DecodeRune(rune(u), rune(unit(data[i+2:]))); r != utf8.RuneError {
				b.WriteRune(r)
				i += 2
				continue
			}
		}
		// A lone surrogate writes U+FFFD.
		b.WriteRune(rune(u))
	}
	if len(data)%2 == 1 {
		b.WriteRune(utf8.RuneError) // half a character at the end
	}
	return b.String(), order
}

// looksUTF16 reports whether data without a byte-order mark looks like
// UTF-16: text in a Latin script has a NUL byte in every other place, on
// the same side of each pair.
func looksUTF16(data []byte) bool {
	data = data[:min(len(data), 4096)&^1]
	pairs, even, odd := len(data)/2, 0, 0
	for i := 0; i < len(data); i += 2 {
		switch {
		case data[i] == 0 && data[i+1] != 0:
			even++ // big-endian
		case data[i] != 0 && data[i+1] == 0:
			odd++ // little-endian
		}
		// Stop as soon as the pairs left cannot make the count: text
		// without NUL bytes is told after a quarter of its pairs.
		if left := pairs - (i/2 + 1); 4*(max(even, odd)+left) < 3*pairs {
			return false
		}
	}
	return pairs >= 2 && 4*max(even, odd) >= 3*pairs
}
