data "aws_iam_policy_document" "d" {
  statement {
    actions   = ["sns:Publish"]
    resources = ["${aws_sns_topic.t.arn}"]
  }
}

resource "aws_iam_role_policy" "r" {
  role   = "${aws_iam_role.r.id}"
  policy = "${data.aws_iam_policy_document.d.json}"
}
