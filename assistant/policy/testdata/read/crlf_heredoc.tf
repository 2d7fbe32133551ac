resource "aws_iam_policy" "p" {
  policy = <<EOF
{
  "Statement": [
    {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}
  ]
}
EOF
}
