// Package accessanalyzerfake is a test double of the two IAM Access
// Analyzer operations policycheck uses, served over loopback HTTP in the
// REST-JSON protocol the AWS SDK speaks:
//
//	POST /policy/check-no-new-access   CheckNoNewAccess
//	POST /policy/validation            ValidatePolicy (?maxResults=&nextToken=)
//
// Every request must carry a SigV4 signature (service "access-analyzer")
// made with the server's credentials for its region; the fake recomputes it
// with the SDK's own signer and refuses a mismatch with 403
// InvalidSignatureException (an unknown key: 403
// UnrecognizedClientException). Requests are checked as the service does
// (required members, enum values) and refused with 400 ValidationException.
//
// Tests script the answers, as a queue (Enqueue) or as a function of the
// request (Handle), and read back what the client sent (Requests). Errors
// come in the service's shape: an X-Amzn-ErrorType header and a
// {"message": ...} body. Paginate serves ValidatePolicy findings over
// several pages linked by nextToken.
package accessanalyzerfake
