// Package norm is the normalized form of a policy that the engine
// (analysis), the "no broader than" proof (subset) and the suggester
// (suggest) share: each statement with its effect, the actions it
// designates expanded against the knowledge base, its resource patterns
// and how they are written, its principals and conditions, and whether
// policy variables are in force.
//
// The syntax, with positions, stays in package policy; a Policy here
// points back to it.
package norm
