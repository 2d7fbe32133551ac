package review

import (
	"github.com/policycheck/policycheck/assistant/report"
	"github.com/policycheck/policycheck/assistant/rules"
)

// accessRules maps each ERROR and SECURITY_WARNING check of IAM Access
// Analyzer's ValidatePolicy to the engine's rule that makes the same
// check (docs/rules.md), so that a finding of either carries one name.
// accessIssues takes its categories from the rules.
var accessRules = map[string]string{
	// ERROR: AWS rejects the policy, or it cannot mean what it says.
	"ARN_ACCOUNT_NOT_ALLOWED":                                 "arn-account-not-allowed",
	"ARN_REGION_NOT_ALLOWED":                                  "arn-region-not-allowed",
	"DATA_TYPE_MISMATCH":                                      "condition-operator-type",
	"INVALID_ARN_ACCOUNT":                                     "arn-account-invalid",
	"INVALID_ARN_PREFIX":                                      "resource-not-arn",
	"INVALID_ARN_REGION":                                      "arn-region-invalid",
	"INVALID_ARN_RESOURCE":                                    "arn-resource-invalid",
	"INVALID_ARN_SERVICE_CASE":                                "arn-service-case",
	"INVALID_CONDITION_DATA_TYPE":                             "condition-value-not-number", // and PC424, PC426, PC427 by type
	"INVALID_CONDITION_KEY_FORMAT":                            "condition-key-unknown",
	"INVALID_CONDITION_OPERATOR":                              "condition-operator-unknown",
	"INVALID_EFFECT":                                          "effect-invalid",
	"INVALID_GLOBAL_CONDITION_KEY":                            "condition-key-unknown",
	"INVALID_PARTITION":                                       "arn-partition-invalid",
	"INVALID_POLICY_ELEMENT":                                  "statement-element-unknown",
	"INVALID_PRINCIPAL_FORMAT":                                "principal-value-invalid",
	"INVALID_PRINCIPAL_KEY":                                   "principal-key-invalid",
	"INVALID_REGION":                                          "arn-region-invalid",
	"INVALID_SERVICE":                                         "service-unknown",
	"INVALID_SERVICE_CONDITION_KEY":                           "condition-key-unknown",
	"INVALID_VERSION":                                         "version-invalid",
	"MISSING_ACTION":                                          "action-missing",
	"MISSING_ARN_FIELD":                                       "resource-not-arn",
	"MISSING_ARN_REGION":                                      "arn-region-missing",
	"MISSING_EFFECT":                                          "effect-invalid",
	"MISSING_PRINCIPAL":                                       "principal-missing",
	"MISSING_RESOURCE":                                        "resource-missing",
	"MISSING_STATEMENT":                                       "no-statements",
	"NULL_WITH_IF_EXISTS":                                     "condition-null-ifexists",
	"SCP_SYNTAX_ERROR_PRINCIPAL":                              "identity-policy-principal",
	"UNIQUE_SIDS_REQUIRED":                                    "sid-duplicate",
	"UNSUPPORTED_ELEMENT_COMBINATION":                         "action-and-notaction", // and resource-and-notresource
	"UNSUPPORTED_PRINCIPAL":                                   "identity-policy-principal",
	"UNSUPPORTED_SID":                                         "sid-characters",
	"UNSUPPORTED_WILDCARD_IN_PRINCIPAL":                       "principal-wildcard-unsupported",
	"PRIVATE_IP_ADDRESS":                                      "condition-private-source-ip",
	"PRIVATE_NOTIPADDRESS":                                    "condition-private-source-ip",
	"POLICY_SIZE_EXCEEDS_SCP_QUOTA":                           "policy-too-large",
	"INVALID_SERVICE_PRINCIPAL_FORMAT":                        "principal-value-invalid",
	"MISSING_TAG_KEY_IN_CONDITION":                            "condition-key-unknown",
	"INVALID_VPC_FORMAT":                                      "condition-vpc-id",
	"INVALID_VPCE_FORMAT":                                     "condition-vpce-id",
	"UNSUPPORTED_ACTION_FOR_CONDITION_KEY":                    "condition-key-not-applicable",
	"ROLE_TRUST_POLICY_SYNTAX_ERROR_NOTPRINCIPAL":             "trust-policy-notprincipal",
	"ROLE_TRUST_POLICY_UNSUPPORTED_WILDCARD_IN_PRINCIPAL":     "principal-wildcard-unsupported",
	"ROLE_TRUST_POLICY_SYNTAX_ERROR_RESOURCE":                 "trust-policy-resource",
	"INVALID_FEDERATED_PRINCIPAL_SYNTAX_IN_ROLE_TRUST_POLICY": "principal-value-invalid",
	"MISMATCHED_ACTION_FOR_PRINCIPAL":                         "trust-action-principal-mismatch",

	// SECURITY_WARNING: valid, and more permissive than it looks.
	"ALLOW_WITH_NOTPRINCIPAL":                                       "notprincipal-allow",
	"FORALLVALUES_WITH_SINGLE_VALUED_KEY":                           "condition-forallvalues-single-valued",
	"PASS_ROLE_WITH_STAR_IN_RESOURCE":                               "passrole-any-role-any-service",
	"PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE":                    "passrole-any-role-any-service",
	"PASS_ROLE_WITH_NOTRESOURCE":                                    "passrole-any-role-any-service",
	"PASS_ROLE_WITH_STAR_IN_ACTION_AND_NOTRESOURCE":                 "passrole-any-role-any-service",
	"PASS_ROLE_WITH_NOTACTION_AND_NOTRESOURCE":                      "notaction-every-resource",
	"PASS_ROLE_WITH_STAR_IN_RESOURCE_AND_NOTACTION":                 "notaction-every-resource",
	"MISSING_PAIRED_CONDITION_KEYS":                                 "condition-missing-paired-key",
	"DENY_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE":           "condition-key-not-applicable",
	"DENY_NOTACTION_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE": "condition-key-not-applicable",
	"RESTRICT_ACCESS_TO_SERVICE_PRINCIPAL":                          "service-principal-without-source",
	"MISSING_CONDITION_KEY_FOR_OIDC_PRINCIPAL":                      "oidc-without-sub",
	"MISSING_GITHUB_REPO_CONDITION_KEY":                             "github-oidc-without-sub",
}

// accessUnchecked are the ERROR and SECURITY_WARNING checks the engine does
// not make, and why.
var accessUnchecked = map[string]string{
	"JSON_SYNTAX_ERROR":                               "the reader refuses the input, naming the line and column (exit 2), before any rule",
	"DUPLICATE_KEYS_WITH_DIFFERENT_CASE":              "left to the reader, which reads keys as written",
	"INVALID_CONDITION_MULTIPLE_BOOLEAN":              "not checked",
	"INVALID_VARIABLE_FOR_OPERATOR":                   "not checked: which variables each operator takes is not in the service reference",
	"MISSING_QUALIFIER":                               "not checked",
	"SCP_SYNTAX_ERROR_ACTION_WILDCARD":                "not checked: service control policies take the full policy language since September 2025",
	"SCP_SYNTAX_ERROR_ALLOW_CONDITION":                "not checked: service control policies take the full policy language since September 2025",
	"SCP_SYNTAX_ERROR_ALLOW_NOTACTION":                "not checked: service control policies take the full policy language since September 2025",
	"SCP_SYNTAX_ERROR_ALLOW_RESOURCE":                 "not checked: service control policies take the full policy language since September 2025",
	"SCP_SYNTAX_ERROR_NOTRESOURCE":                    "not checked: service control policies take the full policy language since September 2025",
	"UNSUPPORTED_ACTION_IN_POLICY":                    "not checked: which actions each policy type accepts is not in the service reference",
	"MISSING_BRACE_IN_VARIABLE":                       "not checked: policy variables are read leniently",
	"MISSING_QUOTE_IN_VARIABLE":                       "not checked: policy variables are read leniently",
	"UNSUPPORTED_SPACE_IN_VARIABLE":                   "not checked: policy variables are read leniently",
	"EMPTY_VARIABLE":                                  "not checked: policy variables are read leniently",
	"VARIABLE_UNSUPPORTED_IN_ELEMENT":                 "not checked: policy variables are read leniently",
	"VARIABLE_UNSUPPORTED_IN_VERSION":                 "not checked: policy variables are read leniently",
	"FEDERATED_PRINCIPAL_NOT_SUPPORTED":               "not checked",
	"UNSUPPORTED_CONDITION_KEY_FOR_SERVICE_PRINCIPAL": "not checked: which keys each service principal sends is not in the service reference",
	"MISSING_ACTION_FOR_CONDITION_KEY":                "not checked",
	"MISSING_ACTION_FOR_ROLES_ANYWHERE_TRUST_POLICY":  "not checked",
}

func init() {
	for code, name := range accessRules {
		r, ok := rules.Lookup(name)
		if !ok {
			continue // TestAccessChecks reports it
		}
		if issue, known := accessIssues[code]; known && issue.rule != "" {
			continue // the mapping of access.go stands
		}
		accessIssues[code] = struct {
			category report.Category
			rule     string
		}{r.Category, name}
	}
}
