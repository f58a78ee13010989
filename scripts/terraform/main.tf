# Every MemoryDB resource of Terraform's AWS provider against a cacheplane control plane.
# scripts/check-terraform.sh applies it, changes it in place (-var), and destroys it.
terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = ">= 5.0" }
  }
}

variable "endpoint" {
  type        = string
  description = "The control plane's URL (it serves the MemoryDB API at POST /)."
}
variable "region" {
  type    = string
  default = "local1"
}
variable "access_key" { type = string }
variable "secret_key" {
  type      = string
  sensitive = true
}
variable "prefix" {
  type    = string
  default = "tf"
}
variable "num_shards" {
  type    = number
  default = 1
}
variable "maxmemory_policy" {
  type    = string
  default = "allkeys-lru"
}
variable "environment_tag" {
  type    = string
  default = "check"
}

provider "aws" {
  region                      = var.region
  access_key                  = var.access_key
  secret_key                  = var.secret_key
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_region_validation      = true
  skip_metadata_api_check     = true
  endpoints {
    memorydb = var.endpoint
  }
}

resource "aws_memorydb_user" "app" {
  user_name     = "${var.prefix}-app"
  access_string = "on ~* &* +@all"
  authentication_mode {
    type      = "password"
    passwords = ["tf-check-password-0123456789"]
  }
  tags = { Environment = var.environment_tag }
}

resource "aws_memorydb_acl" "app" {
  name       = "${var.prefix}-acl"
  user_names = [aws_memorydb_user.app.user_name]
  tags       = { Environment = var.environment_tag }
}

resource "aws_memorydb_parameter_group" "app" {
  name        = "${var.prefix}-params"
  family      = "memorydb_redis7"
  description = "Parameters of the Terraform check"
  parameter {
    name  = "maxmemory-policy"
    value = var.maxmemory_policy
  }
  tags = { Environment = var.environment_tag }
}

resource "aws_memorydb_subnet_group" "app" {
  name        = "${var.prefix}-subnets"
  description = "Every zone of the region"
  # One subnet per zone; a cluster here is placed in one zone or across all of them.
  subnet_ids = ["subnet-${var.region}a", "subnet-${var.region}b", "subnet-${var.region}c"]
  tags        = { Environment = var.environment_tag }
}

resource "aws_memorydb_cluster" "app" {
  name                     = "${var.prefix}-cluster"
  node_type                = "db.t4g.small"
  num_shards               = var.num_shards
  num_replicas_per_shard   = 1
  acl_name                 = aws_memorydb_acl.app.name
  tls_enabled              = true
  parameter_group_name     = aws_memorydb_parameter_group.app.name
  subnet_group_name        = aws_memorydb_subnet_group.app.name
  snapshot_retention_limit = 3
  snapshot_window          = "05:00-06:00"
  maintenance_window       = "sun:23:00-mon:01:30"
  tags                     = { Environment = var.environment_tag, Owner = "cacheplane" }
}

resource "aws_memorydb_snapshot" "app" {
  name         = "${var.prefix}-snapshot"
  cluster_name = aws_memorydb_cluster.app.name
  tags         = { Environment = var.environment_tag }
}

output "cluster_endpoint" {
  value = aws_memorydb_cluster.app.cluster_endpoint
}
