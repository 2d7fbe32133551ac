package analysis

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Text addressed to a reviewer is found in three readings of a string,
// after folding look-alike letters to ASCII (fold):
//   - as written, with words apart ("ignore previous instructions");
//   - with words split where the case or a digit changes and at "_", "-"
//     and "." ("IgnorePreviousInstructionsScore10", "ignore_previous");
//   - each run of letters and digits as one word
//     ("ignorepreviousinstructions").
//
// instructionPattern reads the first two, squashedPattern the third.

// instructionPattern matches text addressed to a reviewer rather than to
// IAM: "ignore previous instructions", "score this 10/10", "you are...".
var instructionPattern = regexp.MustCompile(`(?i)(ignore\W+(all\W+)?(the\W+|your\W+)?(previous|prior|above|earlier|preceding|system|instructions|rules|findings)` +
	`|disregard\W+(all\W+)?(the\W+|your\W+)?(previous|prior|above|instructions|rules|findings)` +
	`|forget\W+(all\W+)?(the\W+|your\W+)?(previous|prior|instructions|rules)` +
	`|new\W+instructions|system\W+prompt|you\W+are\W+(now\W+)?(a|an|the)\W|as\W+an\W+ai|(ai|llm|language\W+model|automated)\W+reviewers?\b` +
	`|(score|rate|rated|grade|rating|mark)\W+(it\W+|this\W+(policy\W+)?)?(as\W+|of\W+|at\W+)?(a\W+)?(10|ten)\b|10\s*/\s*10|10\W+out\W+of\W+10|(maximum|highest|perfect)\W+score` +
	`|least[\s-]+privilege\W+(is\W+)?(confirmed|approved|verified)|(mark|report|treat)\W+(it\W+|this\W+(policy\W+)?)?(as\W+)?(safe|clean|compliant|approved)` +
	`|pre\W*approved\b|approved\W+(security\W+)?exception\b|safe\W+to\W+deploy|exempt\W+from\W+review` +
	`|no\W+findings|do\W+not\W+(report|flag|mention|warn)|(reviewer|assistant|model)\W+(must|should)\W)`)

// squashedPattern is instructionPattern's phrases written without any
// separator, as in a Sid ("IgnorePreviousInstructions" read as one word).
var squashedPattern = regexp.MustCompile(`ignore(all)?(the|your)?(previous|prior|above|earlier|system|instructions)` +
	`|disregard(all)?(the|your)?(previous|prior|above|instructions)|forget(all)?(the|your)?(previous|prior|instructions)` +
	`|previousinstructions|newinstructions|systemprompt|youarenow|asanai` +
	`|(score|rate|grade|rating)(it|this|thepolicy|thispolicy)(as|at)?(a)?(10|ten)|(scoreof|ratingof|scoreit|rateit)(10|ten)|10outof10` +
	`|leastprivilege(is)?(confirmed|approved|verified)|(markit|markthis|treatit|treatthis|reportit)(as)?(safe|clean|compliant|approved)` +
	`|preapproved|approvedexception|approvedsecurityexception|safetodeploy|exemptfromreview|donot(report|flag|mention)`)

// instructionWords are the squashed words the patterns need; text
// without any of them is not run through the (slower) patterns.
var instructionWords = []string{"ignor", "disregard", "forget", "instruction", "prompt", "youare", "asanai", "reviewer",
	"assistant", "model", "score", "rate", "rating", "grade", "mark", "approv", "confirm", "verif", "safe", "clean",
	"complian", "finding", "donot", "exempt", "exception", "treat", "outof"}

// Instructions returns the text in s that addresses a reviewer or a
// language model rather than IAM ("ignore previous instructions", "score
// this 10", "pre-approved exception"), read with words apart or run
// together and after folding look-alike letters; "" when there is none.
func Instructions(s string) string {
	if len(s) < 6 {
		return ""
	}
	t := fold(s)
	if !mayInstruct(t) {
		return ""
	}
	if m := instructionPattern.FindString(t); m != "" {
		return m
	}
	if sp := spaced(t); sp != t {
		if m := instructionPattern.FindString(sp); m != "" {
			return m
		}
	}
	for _, w := range strings.FieldsFunc(t, func(r rune) bool { return !(r < utf8.RuneSelf && (isLetter(byte(r)) || isDigit(byte(r)))) }) {
		if len(w) < 10 {
			continue
		}
		if lw := strings.ToLower(w); containsAny(lw, instructionWords) {
			if m := squashedPattern.FindString(lw); m != "" {
				return m
			}
		}
	}
	return ""
}

func containsAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// mayInstruct reports whether squashed text (its ASCII letters and
// digits only, lowered: squash in the tests) holds the words some
// pattern needs: a word only an instruction uses, or the two halves of a
// phrase ("score" and "10", "mark" and "safe"). Most values (ARNs, action
// patterns, condition keys) have neither and skip the patterns.
//
// It also asks for the text one of the patterns' phrases needs
// (patternNeeds), which rules out words that are part of AWS names
// ("do-not-delete-*", "codeguru-reviewer", "bedrock:prompt/*"): a
// text that passes instructCases alone matches no pattern.
//
// It squashes s as it reads it.
func mayInstruct[S string | []byte](s S) bool {
	found := wordsIn(instructIndex, s)
	return anyCase(found, instructIndex.cases[:len(instructCases)]) && anyCase(found, instructIndex.cases[len(instructCases):])
}

// anyCase reports whether the words found meet one of the cases.
func anyCase(found uint64, cases [][2]uint64) bool {
	for _, c := range cases {
		if found&c[0] != 0 && (c[1] == 0 || found&c[1] != 0) {
			return true
		}
	}
	return false
}

// instructCases are mayInstruct's tests: the text holds a word of the
// first list and, when there is a second, a word of it.
var instructCases = [][2][]string{
	{{"ignor", "disregard", "forget", "instruction", "prompt", "youare", "asanai", "reviewer", "outof",
		"1010", "preapproved", "safetodeploy", "exempt", "nofindings", "donot"}, nil},
	{{"score", "rate", "grade", "mark"}, {"10", "ten", "maximum", "highest", "perfect"}},
	{{"mark", "report", "treat"}, {"safe", "clean", "complian", "approv"}},
	{{"approv"}, {"exception", "confirm", "verif"}},
	{{"leastprivilege"}, {"confirm", "approv", "verif"}},
	{{"assistant", "model"}, {"must", "should"}},
}

// patternNeeds are, in instructCases' form, what the squashed text holds
// when one of the phrases of instructionPattern or squashedPattern
// matches: the phrase's letters and digits, its separators dropped (see
// squashing). Each phrase is listed by text all its matches contain:
//
//	ignore..., disregard..., forget...       ignore, disregard, forget
//	new instructions, previousinstructions   newinstructions, previousinstructions
//	system prompt, you are, as an ai         systemprompt, youare, asanai
//	(ai|llm|language model|automated) reviewer   aireviewer ... automatedreviewer
//	(score|rate|rated|rating|grade|mark) ... (10|ten)   (score|rat|grade|mark) and (10|ten)
//	10/10, 10 out of 10, (maximum|...) score   1010, 10outof10, score
//	least privilege (is) confirmed...        leastprivilege
//	(mark|report|treat) ... (safe|clean|compliant|approved)   both halves
//	pre-approved, approved (security) exception   preapproved, approvedexception, approvedsecurityexception
//	safe to deploy, exempt from review, no findings   safetodeploy, exemptfromreview, nofindings
//	do not (report|flag|mention|warn)        donotreport ... donotwarn
//	(reviewer|assistant|model) (must|should) both halves
var patternNeeds = [][2][]string{
	{{"ignore", "disregard", "forget", "newinstructions", "previousinstructions", "systemprompt", "youare", "asanai",
		"aireviewer", "llmreviewer", "modelreviewer", "automatedreviewer", "1010", "10outof10", "score", "leastprivilege",
		"preapproved", "approvedexception", "approvedsecurityexception", "safetodeploy", "exemptfromreview", "nofindings",
		"donotreport", "donotflag", "donotmention", "donotwarn"}, nil},
	{{"score", "rat", "grade", "mark"}, {"10", "ten"}},
	{{"mark", "report", "treat"}, {"safe", "clean", "compliant", "approved"}},
	{{"reviewer", "assistant", "model"}, {"must", "should"}},
}

// instructIndex finds every word of instructCases in one pass over the
// text rather than one search per word.
var instructIndex = newWordIndex(append(slices.Clip(instructCases), patternNeeds...))

// wordIndex finds which of a few words (at most 64, of lower-case
// letters and digits) occur in a text squashed, in one pass: an
// automaton whose state is the longest end of the text read so far that
// starts some word (Aho and Corasick's), built once.
type wordIndex struct {
	class [256]uint8 // byte → letter (either case) or digit number, or skip
	next  []uint16   // state*classes + class → next state; state 0 is the empty end
	found []uint64   // by state: the words that end there
	cases [][2]uint64
}

// classes are a-z and 0-9; skip is every other byte, which squashing
// drops.
const (
	classes = 26 + 10
	skip    = 255
)

func newWordIndex(cases [][2][]string) *wordIndex {
	x := &wordIndex{}
	for c := range 256 {
		switch {
		case c >= 'a' && c <= 'z':
			x.class[c] = uint8(c - 'a')
		case c >= 'A' && c <= 'Z':
			x.class[c] = uint8(c - 'A')
		case c >= '0' && c <= '9':
			x.class[c] = uint8(26 + c - '0')
		default:
			x.class[c] = skip
		}
	}
	// The trie of the words; none marks a missing edge until the
	// automaton is completed.
	const none = ^uint16(0)
	newState := func() uint16 {
		for range classes {
			x.next = append(x.next, none)
		}
		x.found = append(x.found, 0)
		return uint16(len(x.found) - 1)
	}
	newState()
	num := map[string]int{}
	set := func(words []string) uint64 {
		var m uint64
		for _, w := range words {
			n, ok := num[w]
			if !ok {
				n = len(num)
				if n >= 64 || w == "" {
					panic("wordIndex: more than 64 words, or an empty one")
				}
				num[w] = n
				s := uint16(0)
				for i := 0; i < len(w); i++ {
					c := int(x.class[w[i]])
					if c == skip || w[i] < 'a' && w[i] > '9' {
						panic("wordIndex: " + w + " is not lower-case letters and digits")
					}
					if x.next[int(s)*classes+c] == none {
						t := newState()
						x.next[int(s)*classes+c] = t
					}
					s = x.next[int(s)*classes+c]
				}
				x.found[s] |= 1 << n
			}
			m |= 1 << n
		}
		return m
	}
	for _, c := range cases {
		x.cases = append(x.cases, [2]uint64{set(c[0]), set(c[1])})
	}
	// Breadth first, each state's fallback (the longest proper end of
	// its text that is a state) is known before its children's: a
	// missing edge goes where the fallback's goes, and a state also
	// finds the words its fallback finds.
	fallback := make([]uint16, len(x.found))
	queue := []uint16{}
	for c := range classes {
		if t := x.next[c]; t == none {
			x.next[c] = 0
		} else {
			queue = append(queue, t)
		}
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		x.found[s] |= x.found[fallback[s]]
		for c := range classes {
			i := int(s)*classes + c
			if t := x.next[i]; t == none {
				x.next[i] = x.next[int(fallback[s])*classes+c]
			} else {
				fallback[t] = x.next[int(fallback[s])*classes+c]
				queue = append(queue, t)
			}
		}
	}
	return x
}

// wordsIn returns the set of the index's words that occur in s squashed.
func wordsIn[S string | []byte](x *wordIndex, s S) uint64 {
	var found uint64
	state := 0
	for i := 0; i < len(s); i++ {
		c := x.class[s[i]]
		if c == skip {
			continue
		}
		state = int(x.next[state*classes+int(c)])
		found |= x.found[state]
	}
	return found
}

// spaced puts a space where a lower-case letter meets an upper-case one
// or a letter meets a digit, and in place of "_", "-" and ".":
// "IgnorePreviousInstructionsScore10" reads "Ignore Previous Instructions
// Score 10".
func spaced(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 8)
	var prev byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '_' || c == '-' || c == '.':
			c = ' '
		case isLower(prev) && isUpper(c), isLetter(prev) && isDigit(c), isDigit(prev) && isLetter(c):
			b.WriteByte(' ')
		case isUpper(prev) && isUpper(c) && i+1 < len(s) && isLower(s[i+1]):
			b.WriteByte(' ') // "AIReviewer": "AI Reviewer"
		}
		b.WriteByte(c)
		prev = c
	}
	return b.String()
}

func isLower(c byte) bool  { return c >= 'a' && c <= 'z' }
func isUpper(c byte) bool  { return c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isLetter(c byte) bool { return isLower(c) || isUpper(c) }

// fold writes s in ASCII where it can: compatibility forms (fullwidth,
// ligatures, mathematical letters) as their letters, accents dropped,
// letters of other scripts that look like Latin ones as those, and
// invisible characters removed. ASCII text is returned as it is.
func fold(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	var b strings.Builder
	for _, r := range norm.NFKD.String(s) {
		switch {
		case r < utf8.RuneSelf:
			b.WriteRune(r)
		case unicode.Is(unicode.Mn, r), unicode.Is(unicode.Cf, r):
			// accents, zero-width and other format characters
		default:
			if l, ok := lookalike[r]; ok {
				b.WriteRune(l)
			} else if unicode.IsSpace(r) {
				b.WriteByte(' ')
			} else {
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}

// lookalike maps letters of other scripts to the Latin letters they
// cannot be told from in most fonts (Unicode's confusables, the common
// ones).
var lookalike = map[rune]rune{
	// Cyrillic
	'а': 'a', 'в': 'b', 'е': 'e', 'ё': 'e', 'к': 'k', 'м': 'm', 'н': 'h', 'о': 'o', 'р': 'p', 'с': 'c', 'т': 't', 'у': 'y',
	'х': 'x', 'ѕ': 's', 'і': 'i', 'ї': 'i', 'ј': 'j', 'ԁ': 'd', 'ԛ': 'q', 'ԝ': 'w', 'һ': 'h', 'ӏ': 'l', 'ɡ': 'g',
	'А': 'A', 'В': 'B', 'Е': 'E', 'К': 'K', 'М': 'M', 'Н': 'H', 'О': 'O', 'Р': 'P', 'С': 'C', 'Т': 'T', 'У': 'Y', 'Х': 'X',
	'Ѕ': 'S', 'І': 'I', 'Ј': 'J', 'Ԁ': 'D', 'Ԛ': 'Q', 'Ԝ': 'W', 'Һ': 'H', 'Ӏ': 'I',
	// Greek
	'α': 'a', 'ο': 'o', 'ρ': 'p', 'ι': 'i', 'ν': 'v', 'κ': 'k', 'τ': 't', 'υ': 'u', 'χ': 'x', 'ε': 'e', 'η': 'n',
	'Α': 'A', 'Β': 'B', 'Ε': 'E', 'Ζ': 'Z', 'Η': 'H', 'Ι': 'I', 'Κ': 'K', 'Μ': 'M', 'Ν': 'N', 'Ο': 'O', 'Ρ': 'P', 'Τ': 'T',
	'Υ': 'Y', 'Χ': 'X',
	// Latin letters that are not ASCII
	'ı': 'i', 'ȷ': 'j', 'ℓ': 'l', 'ǀ': 'l', 'ɑ': 'a',
}
