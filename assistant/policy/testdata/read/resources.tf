locals {
  queue_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "sns.amazonaws.com" }, Action = "sqs:SendMessage", Resource = aws_sqs_queue.q.arn }]
  })
}

resource "aws_sqs_queue_policy" "q" {
  queue_url = aws_sqs_queue.q.id
  policy    = local.queue_policy
}

resource "aws_sns_topic_policy" "t" {
  arn    = aws_sns_topic.t.arn
  policy = file("${path.module}/topic-policy.json")
}

resource "aws_kms_key" "k" {
  description = "key"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "Root"
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.me.account_id}:root" }
      Action    = "kms:*"
      Resource  = "*"
    }]
  })
}

resource "aws_organizations_policy" "scp" {
  name = "deny-regions"
  content = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Deny"
      NotAction = ["iam:*", "sts:*"]
      Resource  = "*"
      Condition = { StringNotEquals = { "aws:RequestedRegion" = var.regions } }
    }]
  })
}

resource "aws_organizations_policy" "tags" {
  type    = "TAG_POLICY"
  content = jsonencode({ tags = {} })
}

resource "aws_iam_group_policy" "g" {
  group  = "devs"
  policy = var.group_policy
}
