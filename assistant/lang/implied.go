package lang

import (
	"sort"
	"strings"

	"github.com/policycheck/policycheck/assistant/report"
)

// Implied says what a finding also implies, the findings folded into it
// (report.Finding.Implies): "It also implies 96 escalation paths and 1
// service wildcard, folded into this finding." The engine appends it, in
// English, to the detail of the finding; Report renders it again in the
// language after the translated detail.
func (t Tag) Implied(ims []report.Implied) string {
	if len(ims) == 0 {
		return ""
	}
	byCat := map[report.Category]int{}
	var cats []report.Category
	for _, im := range ims {
		if byCat[im.Category] == 0 {
			cats = append(cats, im.Category)
		}
		byCat[im.Category] += im.Count
	}
	// Escalation paths first: they are what the count is usually about.
	sort.SliceStable(cats, func(i, j int) bool {
		return cats[i] == report.PrivilegeEscalation && cats[j] != report.PrivilegeEscalation
	})
	parts := make([]string, len(cats))
	for i, c := range cats {
		parts[i] = t.impliedCount(c, byCat[c])
	}
	list := parts[0]
	if len(parts) > 1 {
		list = strings.Join(parts[:len(parts)-1], ", ") + " " + t.Sprintf("and") + " " + parts[len(parts)-1]
	}
	return t.Sprintf("It also implies %s, folded into this finding.", list)
}

// impliedCount counts the findings of a category folded into another.
func (t Tag) impliedCount(c report.Category, n int) string {
	switch c {
	case report.PrivilegeEscalation:
		return t.Plural(n, "%d escalation paths", n)
	case report.ServiceWildcard:
		return t.Plural(n, "%d service wildcards", n)
	case report.PassRole:
		return t.Plural(n, "%d iam:PassRole findings", n)
	}
	// The category is an identifier: it stays as it is.
	return t.Plural(n, "%d %s findings", n, string(c))
}
