data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
    principals {
      type        = "Service"
      identifiers = ["edgelambda.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "rw" {
  policy_id = "rw"
  statement {
    sid       = "ReadWrite"
    effect    = "Allow"
    actions   = ["dynamodb:GetItem", "dynamodb:PutItem"]
    resources = [aws_dynamodb_table.t.arn]

    condition {
      test     = "ForAllValues:StringEquals"
      variable = "dynamodb:LeadingKeys"
      values   = ["$${aws:userid}"]
    }
    condition {
      test     = "ForAllValues:StringEquals"
      variable = "dynamodb:Attributes"
      values   = ["id", "name"]
    }
  }

  statement {
    effect        = "Deny"
    not_actions   = ["dynamodb:*"]
    not_resources = ["*"]
  }
}

data "aws_iam_policy_document" "unused" {
  statement {
    actions   = ["s3:*"]
    resources = ["*"]
    not_principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::111122223333:root"]
    }
  }
}

data "aws_iam_policy_document" "public" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::site/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
  }
}

resource "aws_iam_role" "fn" {
  name               = "fn"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

resource "aws_iam_policy" "rw" {
  policy = data.aws_iam_policy_document.rw.json
}

resource "aws_s3_bucket_policy" "site" {
  bucket = "site"
  policy = data.aws_iam_policy_document.public.json
}
