package policy

import (
	"strings"
	"testing"
)

func BenchmarkZZProse(b *testing.B) {
	data := []byte(strings.Repeat("{ x ", 25000))
	for b.Loop() {
		Read(data, Options{})
	}
}
