variable "bucket_name" {
  type = string
}

variable "reader_arn" {
  description = "Principal allowed to read the reports"
  type        = string
}

variable "writer_arns" {
  type    = list(string)
  default = ["arn:aws:iam::111122223333:role/report-writer"]
}

resource "aws_s3_bucket" "reports" {
  bucket = var.bucket_name
}

resource "aws_s3_bucket_policy" "reports" {
  bucket = aws_s3_bucket.reports.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "Read"
        Effect    = "Allow"
        Principal = { AWS = var.reader_arn }
        Action    = ["s3:GetObject"]
        Resource  = "${aws_s3_bucket.reports.arn}/*"
      },
      {
        Sid       = "Write"
        Effect    = "Allow"
        Principal = { AWS = var.writer_arns }
        Action    = ["s3:PutObject"]
        Resource  = "${aws_s3_bucket.reports.arn}/*"
      },
      {
        Sid       = "DenyInsecureTransport"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:*"
        Resource  = [aws_s3_bucket.reports.arn, "${aws_s3_bucket.reports.arn}/*"]
        Condition = { Bool = { "aws:SecureTransport" = "false" } }
      },
    ]
  })
}
