package suggest

// PlaceholderARN fills an ARN format of the knowledge base with
// placeholders for the author to complete, as the engine's suggestions do:
// "arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}"
// gives "arn:aws:dynamodb:<region>:<account-id>:table/<table-name>".
func PlaceholderARN(format string) string {
	return placeholderARN(format, arnFacts{partition: "aws", region: "<region>", account: "<account-id>"})
}
