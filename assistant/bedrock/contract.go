package bedrock

import "github.com/policycheck/policycheck/assistant/review"

// The client implements the review's model contract (review.Model and
// review.Asker); these are the contract's types under the names this
// package uses.
type (
	Request       = review.ModelRequest
	Review        = review.ModelReview
	Finding       = review.ModelFinding
	Usage         = review.Usage
	Unavailable   = review.Unavailable
	Turn          = review.Turn
	AskRequest    = review.AskRequest
	AskDocument   = review.AskDocument
	EarlierReview = review.EarlierReview
	Answer        = review.ModelAnswer
)
