# Every kind stackgate and the CloudStack provider both model, in one project of the sandbox.
# The test changes `offering` and `disk_size` to update the instance and the volume in place;
# `balancer` adds the load-balancer rule, which provider v0.6.0 cannot read without
# listAutoScaleVmGroups (it panics, taking every other resource of the run down with it).

terraform {
  required_providers {
    cloudstack = { source = "cloudstack/cloudstack" }
  }
}

variable "api_url" { type = string }
variable "api_key" { type = string }
variable "secret_key" {
  type      = string
  sensitive = true
}
variable "ssh_public_key" { type = string }
variable "offering" { type = string }
variable "disk_size" { type = number }
variable "balancer" { type = bool }

provider "cloudstack" {
  api_url    = var.api_url
  api_key    = var.api_key
  secret_key = var.secret_key
}

locals {
  project = "payments"
  zone    = "zone-a"
}

resource "cloudstack_ssh_keypair" "ops" {
  name       = "ops"
  public_key = var.ssh_public_key
  project    = local.project
}

resource "cloudstack_network" "app" {
  name             = "app-net"
  cidr             = "10.1.0.0/24"
  network_offering = "DefaultIsolatedNetworkOfferingWithSourceNatService"
  zone             = local.zone
  project          = local.project
}

resource "cloudstack_instance" "web" {
  name             = "web-1"
  service_offering = var.offering
  template         = "ubuntu-22.04"
  network_id       = cloudstack_network.app.id
  keypair          = cloudstack_ssh_keypair.ops.name
  zone             = local.zone
  project          = local.project
  expunge          = true
}

resource "cloudstack_disk" "data" {
  name               = "web-1-data"
  disk_offering      = "standard"
  size               = var.disk_size
  attach             = true
  virtual_machine_id = cloudstack_instance.web.id
  zone               = local.zone
  project            = local.project
}

# Made after the instance, which gave the network its source NAT address, so this one is an
# ordinary address the destroy can release.
resource "cloudstack_ipaddress" "web" {
  network_id = cloudstack_network.app.id
  project    = local.project
  depends_on = [cloudstack_instance.web]
}

resource "cloudstack_firewall" "web" {
  ip_address_id = cloudstack_ipaddress.web.id
  project       = local.project
  rule {
    cidr_list = ["0.0.0.0/0"]
    protocol  = "tcp"
    ports     = ["443"]
  }
}

resource "cloudstack_egress_firewall" "app" {
  network_id = cloudstack_network.app.id
  project    = local.project
  rule {
    cidr_list = ["10.1.0.0/24"]
    protocol  = "udp"
    ports     = ["53"]
  }
}

resource "cloudstack_port_forward" "web" {
  ip_address_id = cloudstack_ipaddress.web.id
  project       = local.project
  forward {
    protocol           = "tcp"
    private_port       = 8443
    public_port        = 443
    virtual_machine_id = cloudstack_instance.web.id
  }
}

resource "cloudstack_loadbalancer_rule" "web" {
  count         = var.balancer ? 1 : 0
  name          = "web-lb"
  ip_address_id = cloudstack_ipaddress.web.id
  network_id    = cloudstack_network.app.id
  algorithm     = "roundrobin"
  private_port  = 8080
  public_port   = 80
  member_ids    = [cloudstack_instance.web.id]
  project       = local.project
}
