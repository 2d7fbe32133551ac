package accessanalyzerfake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
)

var (
	checkPolicyTypes    = map[string]bool{"IDENTITY_POLICY": true, "RESOURCE_POLICY": true}
	validatePolicyTypes = map[string]bool{
		"IDENTITY_POLICY": true, "RESOURCE_POLICY": true,
		"SERVICE_CONTROL_POLICY": true, "RESOURCE_CONTROL_POLICY": true,
	}
	validateResourceTypes = map[string]bool{
		"AWS::S3::Bucket": true, "AWS::S3::AccessPoint": true, "AWS::S3::MultiRegionAccessPoint": true,
		"AWS::S3ObjectLambda::AccessPoint": true, "AWS::IAM::AssumeRolePolicyDocument": true,
		"AWS::DynamoDB::Table": true,
	}
)

// wireRequest is the JSON body of either operation.
type wireRequest struct {
	ExistingPolicyDocument     *string `json:"existingPolicyDocument"`
	NewPolicyDocument          *string `json:"newPolicyDocument"`
	PolicyDocument             *string `json:"policyDocument"`
	PolicyType                 *string `json:"policyType"`
	ValidatePolicyResourceType *string `json:"validatePolicyResourceType"`
	Locale                     *string `json:"locale"`
}

var knownMembers = map[string]map[string]bool{
	OpCheckNoNewAccess: {"existingPolicyDocument": true, "newPolicyDocument": true, "policyType": true},
	OpValidatePolicy:   {"policyDocument": true, "policyType": true, "validatePolicyResourceType": true, "locale": true},
}

// decode fills req from r's route, query and body, and checks them as the
// service would. It returns the error to answer, or nil.
func decode(req *Request, r *http.Request) *Response {
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/policy/check-no-new-access":
		req.Operation = OpCheckNoNewAccess
	case r.Method == http.MethodPost && r.URL.Path == "/policy/validation":
		req.Operation = OpValidatePolicy
	default:
		e := Error(http.StatusNotFound, "UnknownOperationException", "")
		return &e
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		return bad("Unsupported Content-Type %q.", ct)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(req.Body, &top); err != nil {
		e := Error(http.StatusBadRequest, "SerializationException", "Could not parse the request body as JSON.")
		return &e
	}
	for k := range top {
		if !knownMembers[req.Operation][k] {
			e := Error(http.StatusBadRequest, "SerializationException", fmt.Sprintf("Unexpected member %q.", k))
			return &e
		}
	}
	var w wireRequest
	dec := json.NewDecoder(bytes.NewReader(req.Body))
	if err := dec.Decode(&w); err != nil {
		e := Error(http.StatusBadRequest, "SerializationException", "Member types do not match the model.")
		return &e
	}
	req.ExistingPolicyDocument = deref(w.ExistingPolicyDocument)
	req.NewPolicyDocument = deref(w.NewPolicyDocument)
	req.PolicyDocument = deref(w.PolicyDocument)
	req.PolicyType = deref(w.PolicyType)
	req.ValidatePolicyResourceType = deref(w.ValidatePolicyResourceType)
	req.Locale = deref(w.Locale)

	if req.Operation == OpCheckNoNewAccess {
		if len(r.URL.RawQuery) > 0 {
			return bad("Unexpected query parameters.")
		}
		switch {
		case w.ExistingPolicyDocument == nil:
			return missing("existingPolicyDocument")
		case w.NewPolicyDocument == nil:
			return missing("newPolicyDocument")
		case w.PolicyType == nil:
			return missing("policyType")
		case !checkPolicyTypes[req.PolicyType]:
			return enum("policyType", req.PolicyType, "[IDENTITY_POLICY, RESOURCE_POLICY]")
		}
		return nil
	}

	q := r.URL.Query()
	req.NextToken = q.Get("nextToken")
	if v := q.Get("maxResults"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return bad("Invalid maxResults %q.", v)
		}
		req.MaxResults = n
	}
	switch {
	case w.PolicyDocument == nil:
		return missing("policyDocument")
	case w.PolicyType == nil:
		return missing("policyType")
	case !validatePolicyTypes[req.PolicyType]:
		return enum("policyType", req.PolicyType, "[IDENTITY_POLICY, RESOURCE_POLICY, SERVICE_CONTROL_POLICY, RESOURCE_CONTROL_POLICY]")
	case w.ValidatePolicyResourceType != nil && !validateResourceTypes[req.ValidatePolicyResourceType]:
		return enum("validatePolicyResourceType", req.ValidatePolicyResourceType, "[AWS::S3::Bucket, AWS::S3::AccessPoint, AWS::S3::MultiRegionAccessPoint, AWS::S3ObjectLambda::AccessPoint, AWS::IAM::AssumeRolePolicyDocument, AWS::DynamoDB::Table]")
	case w.ValidatePolicyResourceType != nil && req.PolicyType != "RESOURCE_POLICY":
		return bad("validatePolicyResourceType can be specified only when policyType is RESOURCE_POLICY.")
	}
	return nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func bad(format string, args ...any) *Response {
	e := Validation(fmt.Sprintf(format, args...))
	return &e
}

func missing(member string) *Response {
	return fieldError("1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", member)
}

func enum(member, value, set string) *Response {
	return fieldError("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must satisfy enum value set: %s", value, member, set)
}

func fieldError(format string, args ...any) *Response {
	e := bad(format, args...)
	e.Reason = "fieldValidationFailed"
	return e
}
