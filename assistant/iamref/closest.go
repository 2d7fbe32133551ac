package iamref

import "strings"

// Closest returns the real action nearest to a misspelled one
// ("s3:GetObjects" gives "s3:GetObject"), or false when none is close.
//
// Distance is counted in edits (insert, delete, change, or swap two
// neighbours), without regard to case. The action part may be off by one
// edit up to 5 letters, two up to 11, three beyond; a misspelled service
// prefix ("lamda:InvokeFunction") may be off by one edit up to 4 letters,
// two beyond, and is tried against every service that close. A name that
// exists is returned in its canonical case.
func (kb *KB) Closest(name string) (string, bool) {
	if a := kb.Action(name); a != nil {
		return a.FullName(), true
	}
	svc, act, ok := strings.Cut(lowerASCII(name), ":")
	if !ok || svc == "" || act == "" || strings.ContainsAny(name, "*?") {
		return "", false
	}
	actMax := editLimit(len(act), 5, 11)
	best := struct {
		id       ActionID
		svc, act int
		found    bool
	}{}
	better := func(id ActionID, sd, ad int) bool {
		if !best.found {
			return true
		}
		if t, bt := sd+ad, best.svc+best.act; t != bt {
			return t < bt
		}
		if sd != best.svc {
			return sd < best.svc
		}
		return lenGap(kb.actName(id), act) < lenGap(kb.actName(best.id), act)
	}
	try := func(i int, sd int) {
		r := kb.svcRange[i]
		limit := actMax
		for id := r.lo; id < r.hi; id++ {
			d, ok := editDistance(act, kb.actName(id), limit)
			if ok && better(id, sd, d) {
				best.id, best.svc, best.act, best.found = id, sd, d, true
				// Later candidates must do at least as well.
				limit = d
			}
		}
	}
	if i, ok := kb.svcIndex[svc]; ok {
		try(int(i), 0)
	} else {
		svcMax := editLimit(len(svc), 4, 1<<30)
		for i, s := range kb.services {
			if d, ok := editDistance(svc, s.Prefix, svcMax); ok {
				try(i, d)
			}
		}
	}
	if !best.found {
		return "", false
	}
	return kb.actions[best.id].FullName(), true
}

// editLimit is 1 up to short letters, 2 up to mid, 3 beyond.
func editLimit(n, short, mid int) int {
	switch {
	case n <= short:
		return 1
	case n <= mid:
		return 2
	}
	return 3
}

func lenGap(a, b string) int {
	if d := len(a) - len(b); d > 0 {
		return d
	}
	return len(b) - len(a)
}

// editDistance is the optimal string alignment distance between a and b
// (Levenshtein plus swaps of neighbours), or false when it exceeds max.
func editDistance(a, b string, max int) (int, bool) {
	if d := len(a) - len(b); d > max || -d > max {
		return 0, false
	}
	if len(b) > 62 || len(a) > 62 {
		if a == b {
			return 0, true
		}
		return 0, false // no action name is that long
	}
	var rows [3][64]int
	prev2, prev, cur := &rows[0], &rows[1], &rows[2]
	for j := 0; j <= len(b); j++ {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		low := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			low = min(low, v)
		}
		if low > max {
			return 0, false
		}
		prev2, prev, cur = prev, cur, prev2
	}
	if d := prev[len(b)]; d <= max {
		return d, true
	}
	return 0, false
}
