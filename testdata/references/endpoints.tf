# Endpoints in the style of terraform-aws-modules/vpc's vpc-endpoints
# submodule, with the data perimeter AWS recommends.
data "aws_region" "current" {}

variable "vpc_id" {
  type = string
}

variable "org_id" {
  description = "Organization whose identities and resources the endpoints serve"
  type        = string
}

data "aws_iam_policy_document" "perimeter" {
  statement {
    sid       = "AllowRequestsByOrgsIdentitiesToOrgsResources"
    effect    = "Allow"
    actions   = ["*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["*"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:PrincipalOrgID"
      values   = [var.org_id]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceOrgID"
      values   = [var.org_id]
    }
  }

  statement {
    sid       = "AllowRequestsByAWSServicePrincipals"
    effect    = "Allow"
    actions   = ["*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:PrincipalIsAWSService"
      values   = ["true"]
    }
  }
}

resource "aws_vpc_endpoint" "s3" {
  vpc_id            = var.vpc_id
  service_name      = "com.amazonaws.${data.aws_region.current.name}.s3"
  vpc_endpoint_type = "Gateway"
  policy            = data.aws_iam_policy_document.perimeter.json
}

resource "aws_vpc_endpoint" "ecr_api" {
  vpc_id              = var.vpc_id
  service_name        = "com.amazonaws.${data.aws_region.current.name}.ecr.api"
  vpc_endpoint_type   = "Interface"
  private_dns_enabled = true
}

resource "aws_vpc_endpoint_policy" "ecr_api" {
  vpc_endpoint_id = aws_vpc_endpoint.ecr_api.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AllowAll"
        Effect    = "Allow"
        Principal = { AWS = "*" }
        Action    = "*"
        Resource  = "*"
      },
    ]
  })
}

# The ECR layers live in an AWS-owned bucket: the S3 gateway endpoint of a
# private subnet must let image pulls reach it.
resource "aws_vpc_endpoint_policy" "s3_ecr_layers" {
  vpc_endpoint_id = aws_vpc_endpoint.s3.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AccessToEcrLayers"
        Effect    = "Allow"
        Principal = "*"
        Action    = ["s3:GetObject"]
        Resource  = ["arn:aws:s3:::prod-${data.aws_region.current.name}-starport-layer-bucket/*"]
      },
    ]
  })
}
