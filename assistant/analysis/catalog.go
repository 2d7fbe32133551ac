package analysis

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/policycheck/policycheck/assistant/iamref"
)

// The catalogs are copies of public lists (see catalog/README.md), checked
// against the knowledge base at load time.
var (
	//go:embed catalog/privilege-escalation.json
	escalationJSON []byte
	//go:embed catalog/data-exfiltration.json
	exfiltrationJSON []byte
	//go:embed catalog/credentials-exposure.json
	credentialsJSON []byte
)

// escalationMethod is one known way to gain more privileges than granted.
type escalationMethod struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	Category string   `json:"category"`
	Requires []string `json:"requires"`

	actions []*iamref.Action // resolved Requires
}

// Beyond the public exfiltration list: reads that hand out data in bulk,
// and actions that share data out of the account.
var extraExfiltration = []string{
	"s3:GetObjectVersion",
	"secretsmanager:BatchGetSecretValue",
	"ssm:GetParameterHistory",
	"kms:Decrypt",
	"dynamodb:Scan",
	"dynamodb:Query",
	"dynamodb:GetItem",
	"dynamodb:BatchGetItem",
	"dynamodb:ExportTableToPointInTime",
	"rds:ModifyDBSnapshotAttribute",
	"rds:ModifyDBClusterSnapshotAttribute",
	"ec2:ModifySnapshotAttribute",
	"ec2:ModifyImageAttribute",
	"ebs:GetSnapshotBlock",
	"codecommit:GitPull",
	"athena:GetQueryResults",
	"redshift-data:GetStatementResult",
	"rds-data:ExecuteStatement",
}

// secretReads are the exfiltration actions that return secrets rather than
// data, and so weigh more.
var secretReads = []string{
	"secretsmanager:GetSecretValue",
	"secretsmanager:BatchGetSecretValue",
	"ssm:GetParameter",
	"ssm:GetParameters",
	"ssm:GetParametersByPath",
	"ssm:GetParameterHistory",
	"kms:Decrypt",
}

// sharingActions change who can read a snapshot or image: data leaves the
// account without a read.
var sharingActions = []string{
	"rds:ModifyDBSnapshotAttribute",
	"rds:ModifyDBClusterSnapshotAttribute",
	"ec2:ModifySnapshotAttribute",
	"ec2:ModifyImageAttribute",
}

// catalog is the resolved lists for one knowledge base.
type catalog struct {
	escalation    []*escalationMethod
	exfiltration  iamref.ActionSet
	secrets       iamref.ActionSet
	sharing       iamref.ActionSet
	credentials   iamref.ActionSet
	escalationAny iamref.ActionSet // every action some method needs
	resourceLevel iamref.ActionSet // actions that support resource ARNs
	permissions   iamref.ActionSet
	write         iamref.ActionSet // Write, Permissions management, Tagging
	passRole      *iamref.Action
	bounded       iamref.ActionSet // credentials whose use IAM still checks (boundedCredentials)
	policyWrites  iamref.ActionSet // actions that can grant others access to a resource
	needsEach     []needs
	missing       []string // catalog names the knowledge base does not know

	// escalationTargets and ownCredentials by action, so that the
	// escalation checks look up an ID rather than lower a name.
	targets  map[iamref.ActionID][]string
	ownCreds map[iamref.ActionID]bool
}

// needs is an action that AWS authorizes only with another action on each
// resource it reaches.
type needs struct {
	action, needs *iamref.Action
}

// needsEach: secretsmanager:BatchGetSecretValue supports only "*", and
// returns a secret only to a caller allowed secretsmanager:GetSecretValue
// on it.
var needsEach = [][2]string{
	{"secretsmanager:BatchGetSecretValue", "secretsmanager:GetSecretValue"},
}

// boundedCredentials return credentials or tokens, support only "*", and
// hand out nothing IAM does not still govern; each with why.
var boundedCredentials = map[string]string{
	"ecr:GetAuthorizationToken":        "the token signs the caller in to the registry; every pull and push is still checked against the caller's own ECR permissions",
	"ecr-public:GetAuthorizationToken": "the token signs the caller in to ECR Public; what it can push is still checked against the caller's own permissions",
	"sts:GetSessionToken":              "it returns temporary credentials of the caller itself (an MFA session), with no more permissions than the caller has",
	"cognito-identity:GetCredentialsForIdentity": "it returns an identity pool role's credentials for an identity the caller already holds a login for; " +
		"the pool's roles and their trust policies decide what they get",
	"cognito-identity:GetOpenIdToken": "it returns a token for an identity the caller already holds a login for; the roles' trust policies decide what it can assume",
}

// attributeWrites are Write actions that also set a resource policy
// (through the Policy attribute).
var attributeWrites = []string{"sqs:SetQueueAttributes", "sns:SetTopicAttributes"}

// identityServices grant through identities, not resource policies: what
// their permissions-management actions do is judged as escalation.
var identityServices = map[string]bool{"iam": true, "sts": true, "sso": true, "identitystore": true, "organizations": true}

// removalName reports an action named for taking access away.
func removalName(name string) bool {
	for _, p := range []string{"Delete", "Remove", "Revoke", "Detach", "Disassociate", "Reject", "Untag", "Disable", "Cancel", "Retire"} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

var catalogs sync.Map // *iamref.KB → *catalog

// catalogFor resolves the catalogs against kb once.
func catalogFor(kb *iamref.KB) *catalog {
	if c, ok := catalogs.Load(kb); ok {
		return c.(*catalog)
	}
	c, err := buildCatalog(kb)
	if err != nil {
		// The embedded catalogs are part of the binary; a failure is a
		// build defect caught by the tests.
		panic(err)
	}
	actual, _ := catalogs.LoadOrStore(kb, c)
	return actual.(*catalog)
}

func buildCatalog(kb *iamref.KB) (*catalog, error) {
	c := &catalog{}
	var esc struct {
		Methods []*escalationMethod `json:"methods"`
	}
	if err := json.Unmarshal(escalationJSON, &esc); err != nil {
		return nil, fmt.Errorf("privilege-escalation catalog: %w", err)
	}
	for _, m := range esc.Methods {
		ok := true
		for _, name := range m.Requires {
			a := kb.Action(name)
			if a == nil {
				c.missing = append(c.missing, name)
				ok = false
				continue
			}
			m.actions = append(m.actions, a)
			c.escalationAny.Add(a.ID)
		}
		if ok {
			c.escalation = append(c.escalation, m)
		}
	}
	var list struct {
		Actions []string `json:"actions"`
	}
	if err := json.Unmarshal(exfiltrationJSON, &list); err != nil {
		return nil, fmt.Errorf("data-exfiltration catalog: %w", err)
	}
	c.exfiltration = c.set(kb, append(list.Actions, extraExfiltration...))
	list.Actions = nil
	if err := json.Unmarshal(credentialsJSON, &list); err != nil {
		return nil, fmt.Errorf("credentials-exposure catalog: %w", err)
	}
	c.credentials = c.set(kb, list.Actions)
	c.secrets = c.set(kb, secretReads)
	c.sharing = c.set(kb, sharingActions)
	var readNamed iamref.ActionSet
	for id := 0; id < kb.NumActions(); id++ {
		a := kb.ActionByID(iamref.ActionID(id))
		if a.ResourceLevel() {
			c.resourceLevel.Add(a.ID)
		}
		if readName(a.Name) {
			readNamed.Add(a.ID)
		}
	}
	// The reference files some reads of permissions under Permissions
	// management or Write (quicksight:DescribeTopicPermissions,
	// iot:ListSubscriptions): by their names they change nothing.
	c.permissions = kb.LevelSet(iamref.PermissionsManagement).Clone()
	c.permissions.AndNot(readNamed)
	c.write = kb.LevelSet(iamref.Write).Clone()
	c.write.Or(kb.LevelSet(iamref.PermissionsManagement))
	c.write.Or(kb.LevelSet(iamref.Tagging))
	c.write.AndNot(readNamed)
	// Some actions that return credentials support only "*" and hand out
	// nothing IAM does not still govern: the token is checked against the
	// caller's own permissions (ECR repositories, the caller's session,
	// the identity pool's roles). Others that support only "*" do not
	// (lightsail:DownloadDefaultKeyPair, appsync:CreateApiKey) and stay.
	var bounded []string
	for n := range boundedCredentials {
		bounded = append(bounded, n)
	}
	c.bounded = c.set(kb, bounded)
	c.credentials.AndNot(c.bounded)
	c.passRole = kb.Action("iam:PassRole")
	c.permissions.Each(func(id iamref.ActionID) bool {
		a := kb.ActionByID(id)
		if !identityServices[a.Service.Prefix] && !removalName(a.Name) {
			c.policyWrites.Add(id)
		}
		return true
	})
	c.policyWrites.Or(c.set(kb, attributeWrites))
	for _, n := range needsEach {
		a, b := kb.Action(n[0]), kb.Action(n[1])
		if a == nil || b == nil {
			c.missing = append(c.missing, n[0], n[1])
			continue
		}
		c.needsEach = append(c.needsEach, needs{a, b})
	}
	c.targets = byLowerName(kb, escalationTargets)
	c.ownCreds = byLowerName(kb, ownCredentials)
	return c, nil
}

// byLowerName resolves a map keyed by strings.ToLower(a.FullName()) to
// one keyed by action.
func byLowerName[V any](kb *iamref.KB, m map[string]V) map[iamref.ActionID]V {
	out := make(map[iamref.ActionID]V, len(m))
	for name, v := range m {
		if a := kb.Action(name); a != nil && strings.ToLower(a.FullName()) == name {
			out[a.ID] = v
		}
	}
	// kb.Action lowers only ASCII letters; strings.ToLower lowers others
	// too, a few of them to ASCII (the Kelvin sign to "k").
	for id := range kb.NumActions() {
		a := kb.ActionByID(iamref.ActionID(id))
		if n := a.FullName(); !isASCII(n) {
			if v, ok := m[strings.ToLower(n)]; ok {
				out[a.ID] = v
			}
		}
	}
	return out
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func (c *catalog) set(kb *iamref.KB, names []string) iamref.ActionSet {
	var s iamref.ActionSet
	for _, n := range names {
		if a := kb.Action(n); a != nil {
			s.Add(a.ID)
		} else {
			c.missing = append(c.missing, n)
		}
	}
	return s
}

// methodEffect says in a few words what a method gives an attacker.
func methodEffect(m *escalationMethod) string {
	switch m.Category {
	case "new-passrole":
		n := serviceNoun(m)
		return "create " + article(n) + " " + n + " resource that runs with a role you pass, and act with that role's permissions"
	case "existing-passrole":
		return "take over an existing " + serviceNoun(m) + " resource and act with the role it already has"
	case "self-escalation":
		return "grant yourself (or a principal you control) any permission"
	case "principal-access":
		return "act as other users or roles"
	case "new-principal":
		return "create a user or role of their own, give it any policy, and act as it"
	}
	if strings.Contains(m.Name, "PassRole") {
		return "run code with a role you pass, and act with that role's permissions"
	}
	return "gain permissions beyond those granted"
}

func serviceNoun(m *escalationMethod) string {
	for _, a := range m.actions {
		if p := a.Service.Prefix; p != "iam" && p != "sts" {
			if a.Service.Name != "" {
				return a.Service.Name
			}
			return p
		}
	}
	return "compute"
}

func article(word string) string {
	if word != "" && strings.ContainsRune("AEIOUaeiou", rune(word[0])) {
		return "an"
	}
	return "a"
}

// readName reports an action named as a read: Get..., List..., Describe...
func readName(name string) bool {
	for _, p := range []string{"Get", "List", "Describe", "Search", "View"} {
		if strings.HasPrefix(name, p) && len(name) > len(p) && name[len(p)] >= 'A' && name[len(p)] <= 'Z' {
			return true
		}
	}
	return false
}
