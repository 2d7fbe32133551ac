package lang

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Lists the engine writes in words, which no single catalog message
// matches: they are translated piece by piece.

// dataList is what a finding says data is: "every S3 object", "every
// DynamoDB table, S3 object and more".
var dataList = regexp.MustCompile(`^every (.+)$`)

// levelList counts actions by access level: "57 Write, 27 Permissions
// management and 12 Tagging actions".
var levelList = regexp.MustCompile(`^[0-9]+ (Write|Permissions management|Tagging|other)((, | and )[0-9]+ (Write|Permissions management|Tagging|other))* actions$`)

// list translates the lists the engine writes, or returns s and false.
func (t Tag) list(s string) (string, bool) {
	if m := dataList.FindStringSubmatch(s); m != nil {
		return t.Sprintf("every %s", t.joined(m[1], dataNouns)), true
	}
	if levelList.MatchString(s) {
		return t.Sprintf("%s actions", t.joined(strings.TrimSuffix(s, " actions"), accessLevels)), true
	}
	return s, false
}

// more translates the end of a list cut short: "… and 3 more".
func (t Tag) more(s string) (string, bool) {
	if m := andMore.FindStringSubmatchIndex(s); m != nil {
		n, _ := strconv.Atoi(s[m[2]:m[3]])
		return s[:m[0]] + " " + t.Sprintf("and %d more", n), true
	}
	return s, false
}

// The words of those lists, with their translations in the catalogs.
var (
	dataNouns = []string{
		"S3 object", "Secrets Manager secret", "SSM parameter", "KMS-encrypted secret", "DynamoDB table",
		"RDS snapshot", "EBS snapshot and AMI", "EBS snapshot", "Lambda function's code", "CodeCommit repository",
		"container image", "Kinesis stream", "SQS queue", "CloudWatch log", "Athena query result",
		"Glacier archive", "Redshift query result", "Aurora database", "more",
	}
	accessLevels = []string{"Permissions management", "Write", "Tagging", "other"}
)

// joined translates a list of known words joined by ", " and " and ".
func (t Tag) joined(s string, words []string) string {
	byLength := append([]string(nil), words...)
	sort.SliceStable(byLength, func(i, j int) bool { return len(byLength[i]) > len(byLength[j]) })
	// Each word is replaced by a mark, so that the " and " inside a word
	// ("EBS snapshot and AMI") is not taken for a joiner.
	var found []string
	for _, w := range byLength {
		if strings.Contains(s, w) {
			s = strings.ReplaceAll(s, w, "\x00"+string(rune('A'+len(found)))+"\x00")
			found = append(found, w)
		}
	}
	s = strings.ReplaceAll(s, " and ", " "+t.Sprintf("and")+" ")
	for i, w := range found {
		s = strings.ReplaceAll(s, "\x00"+string(rune('A'+i))+"\x00", t.Text(w))
	}
	// Words not known (a service's prefix, "ecr data") stay as they are.
	return s
}

// items translates the items of a list joined by sep, each on its own.
func (t Tag) items(s, sep string) string {
	parts := strings.Split(s, sep)
	for i, p := range parts {
		parts[i] = t.Text(p)
	}
	return strings.Join(parts, sep)
}

// reasonStart matches where an action's reason starts in a list of them:
// "ecr:GetAuthorizationToken: the token …; sts:GetSessionToken: it …".
var reasonStart = regexp.MustCompile(`(?:^|; )[A-Za-z0-9-]+:[A-Za-z0-9*]+: `)

// reasons translates a list of actions, each with why, joined by "; "
// (a reason may hold "; " itself).
func (t Tag) reasons(s string) string {
	idx := reasonStart.FindAllStringIndex(s, -1)
	if len(idx) == 0 || idx[0][0] != 0 {
		return t.Text(s)
	}
	var b strings.Builder
	for i, m := range idx {
		end := len(s)
		if i+1 < len(idx) {
			end = idx[i+1][0]
		}
		b.WriteString(s[m[0]:m[1]])
		b.WriteString(t.Text(s[m[1]:end]))
	}
	return b.String()
}

// refList is what a review says of the references of a template it
// could not resolve: "${var.who} is Terraform variable who; ${var.b} is
// Terraform variable b, read as its default".
var refItem = regexp.MustCompile(`^(\$\{[^}]*\}) is (.+?)(, read as its default)?$`)

// refs translates such a list, or returns s and false.
func (t Tag) refs(s string, depth int) (string, bool) {
	if !strings.HasPrefix(s, "${") || !strings.Contains(s, "} is ") {
		return s, false
	}
	parts := strings.Split(s, "; ${")
	for i := 1; i < len(parts); i++ {
		parts[i] = "${" + parts[i]
	}
	for i, p := range parts {
		m := refItem.FindStringSubmatch(p)
		if m == nil {
			return s, false
		}
		if m[3] != "" {
			parts[i] = t.Sprintf("%s is %s, read as its default", m[1], t.text(m[2], depth+1))
		} else {
			parts[i] = t.Sprintf("%s is %s", m[1], t.text(m[2], depth+1))
		}
	}
	return strings.Join(parts, "; "), true
}

// lineNote is a note on a line of the input: "line 39: …".
var lineNote = regexp.MustCompile(`^line ([0-9]+): (.+)$`)
