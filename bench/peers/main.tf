# bench/peer.py's cloud through OpenTofu and the CloudStack provider, as a user would write it:
# `instances` instances spread over `networks` isolated networks, and per network a public IP
# with a firewall rule, a port forward to one of its instances and an egress rule.

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
variable "instances" { type = number }
variable "networks" { type = number }

provider "cloudstack" {
  api_url    = var.api_url
  api_key    = var.api_key
  secret_key = var.secret_key
}

locals {
  project = "payments"
  zone    = "zone-a"
}

resource "cloudstack_network" "net" {
  count            = var.networks
  name             = "net-${count.index}"
  cidr             = "10.${count.index}.0.0/22"
  network_offering = "DefaultIsolatedNetworkOfferingWithSourceNatService"
  zone             = local.zone
  project          = local.project
}

resource "cloudstack_instance" "vm" {
  count            = var.instances
  name             = "vm-${count.index}"
  service_offering = "small"
  template         = "ubuntu-22.04"
  network_id       = cloudstack_network.net[count.index % var.networks].id
  zone             = local.zone
  project          = local.project
  expunge          = true
}

# After the instances, which gave each network its source NAT address: these are ordinary
# addresses (the first address of a fresh network would become its source NAT).
resource "cloudstack_ipaddress" "ip" {
  count      = var.networks
  network_id = cloudstack_network.net[count.index].id
  project    = local.project
  depends_on = [cloudstack_instance.vm]
}

resource "cloudstack_firewall" "https" {
  count         = var.networks
  ip_address_id = cloudstack_ipaddress.ip[count.index].id
  project       = local.project
  rule {
    cidr_list = ["0.0.0.0/0"]
    protocol  = "tcp"
    ports     = ["443"]
  }
}

resource "cloudstack_egress_firewall" "dns" {
  count      = var.networks
  network_id = cloudstack_network.net[count.index].id
  project    = local.project
  rule {
    cidr_list = ["10.${count.index}.0.0/22"]
    protocol  = "udp"
    ports     = ["53"]
  }
}

# vm-N lives in net-N for N below the number of networks.
resource "cloudstack_port_forward" "https" {
  count         = var.networks
  ip_address_id = cloudstack_ipaddress.ip[count.index].id
  project       = local.project
  forward {
    protocol           = "tcp"
    private_port       = 8443
    public_port        = 443
    virtual_machine_id = cloudstack_instance.vm[count.index].id
  }
}
