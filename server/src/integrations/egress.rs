//! The one policy every outbound connection follows: health checks, OAuth and OpenID Connect,
//! the PostgreSQL provider and mail. A tenant names the URLs, so without it a tenant could make
//! the server reach its own network (cloud metadata, the platform's database, admin ports).
//!
//! Addresses are checked when the connection is made, on the addresses the name resolved to at
//! that moment, so a name that answers a public address to a validator and a private one to the
//! client (DNS rebinding) gets nowhere. URL literals skip resolution, so they are checked before
//! the request leaves.

use ipnet::IpNet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

/// Which addresses the server may connect to on a tenant's behalf.
#[derive(Clone, Debug, Default)]
pub struct Egress {
    /// `PORTCULLIS_EGRESS_ALLOW`: networks an operator opened (an on-premise database, or a
    /// test's local fakes) although they are not public.
    allow: Arc<Vec<IpNet>>,
}

/// Why a destination was not contacted. Only operators see this; tenants read the same words
/// for a refused destination as for one that did not answer, so the policy cannot be used to
/// map the network.
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    #[error("{0} is not a public address and PORTCULLIS_EGRESS_ALLOW does not open it")]
    Address(IpAddr),
    #[error("{0} resolves to no address this server may reach")]
    Host(String),
    #[error("{0} could not be resolved")]
    Unresolved(String),
}

impl Egress {
    /// The default policy: public addresses only.
    pub fn public_only() -> Egress {
        Egress::default()
    }

    /// The policy opening `networks` besides public addresses.
    pub fn allowing(networks: Vec<IpNet>) -> Egress {
        Egress {
            allow: Arc::new(networks),
        }
    }

    /// The loopback networks, for a demo whose API is the console itself or a test's fakes.
    pub fn loopback() -> Vec<IpNet> {
        // A fixed prefix within range: `new_assert` cannot fail here.
        vec![
            IpNet::new_assert(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 0)), 8),
            IpNet::from(IpAddr::V6(Ipv6Addr::LOCALHOST)),
        ]
    }

    /// Parses `PORTCULLIS_EGRESS_ALLOW`: networks (`10.1.0.0/16`) or single addresses,
    /// separated by commas.
    pub fn parse_allow(list: &str) -> Result<Vec<IpNet>, String> {
        list.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse::<IpNet>()
                    .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| s.to_owned())
            })
            .collect()
    }

    /// Whether the server may connect to `ip`.
    pub fn permits(&self, ip: IpAddr) -> bool {
        is_public(ip) || self.allow.iter().any(|net| net.contains(&ip))
    }

    /// The addresses of `host` this server may connect to, resolved now; refused when none is.
    pub async fn resolve(&self, host: &str, port: u16) -> Result<Vec<SocketAddr>, Refused> {
        let host = host.trim_start_matches('[').trim_end_matches(']');
        if let Ok(ip) = host.parse::<IpAddr>() {
            return self
                .permits(ip)
                .then(|| vec![SocketAddr::new(ip, port)])
                .ok_or(Refused::Address(ip));
        }
        let resolved: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
            .await
            .map_err(|_| Refused::Unresolved(host.to_owned()))?
            .collect();
        let permitted: Vec<SocketAddr> = resolved
            .iter()
            .copied()
            .filter(|a| self.permits(a.ip()))
            .collect();
        if permitted.is_empty() {
            return Err(Refused::Host(host.to_owned()));
        }
        Ok(permitted)
    }

    /// Refuses a URL whose host is an address literal the policy closes (literals are never
    /// resolved, so the resolver below never sees them).
    pub fn check_literal(&self, url: &url::Url) -> Result<(), Refused> {
        let ip = match url.host() {
            Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip),
            Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip),
            _ => return Ok(()),
        };
        self.permits(ip).then_some(()).ok_or(Refused::Address(ip))
    }
}

/// The resolver the HTTP client connects through: it answers only permitted addresses.
impl reqwest::dns::Resolve for Egress {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let egress = self.clone();
        Box::pin(async move {
            let addrs = egress.resolve(name.as_str(), 0).await.map_err(|refused| {
                tracing::warn!(%refused, "outbound connection refused");
                Box::new(refused) as Box<dyn std::error::Error + Send + Sync>
            })?;
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// Whether `ip` is an address on the public internet: not loopback, private, link-local,
/// unique-local, shared (carrier NAT), multicast, broadcast, documentation, reserved or
/// unspecified; IPv6 forms that carry an IPv4 address are judged by that address.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match embedded_v4(v6) {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // shared address space (carrier NAT)
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240) // reserved
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00 // unique local
        || (first & 0xffc0) == 0xfe80 // link local
        || (first & 0xffc0) == 0xfec0 // site local (deprecated, still routed by some)
        || first == 0x2001 && ip.segments()[1] == 0x0db8) // documentation
}

/// The IPv4 address inside an IPv4-mapped (`::ffff:a.b.c.d`), IPv4-compatible (`::a.b.c.d`),
/// NAT64 (`64:ff9b::a.b.c.d`) or 6to4 (`2002:aabb:ccdd::`) address.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let low = Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
    match s {
        [0, 0, 0, 0, 0, 0xffff, _, _] => Some(low),
        // IPv4-translated (`::ffff:0:a.b.c.d`).
        [0, 0, 0, 0, 0xffff, 0, _, _] => Some(low),
        [0, 0, 0, 0, 0, 0, _, _] if !ip.is_loopback() && !ip.is_unspecified() => Some(low),
        [0x64, 0xff9b, 0, 0, 0, 0, _, _] => Some(low),
        // Local-use NAT64 (`64:ff9b:1::/48`): the IPv4 address is in the last 32 bits.
        [0x64, 0xff9b, 1, ..] => Some(low),
        [0x2002, hi, lo, ..] => Some(Ipv4Addr::new(
            (hi >> 8) as u8,
            hi as u8,
            (lo >> 8) as u8,
            lo as u8,
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn internal_addresses_are_not_public() {
        for text in [
            "127.0.0.1",
            "10.0.0.5",
            "172.16.3.4",
            "192.168.1.1",
            "169.254.169.254",
            "100.100.100.200",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "::127.0.0.1",
            "64:ff9b::10.0.0.1",
            "64:ff9b:1::a00:1",
            "::ffff:0:7f00:1",
            "2002:a9fe:a9fe::1",
        ] {
            assert!(!is_public(ip(text)), "{text} counted as public");
        }
        for text in [
            "93.184.216.34",
            "8.8.8.8",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            assert!(is_public(ip(text)), "{text} counted as internal");
        }
    }

    #[test]
    fn an_allowed_network_opens_only_itself() {
        let egress = Egress::allowing(Egress::parse_allow("10.1.0.0/16, 127.0.0.1").unwrap());
        assert!(egress.permits(ip("10.1.2.3")));
        assert!(egress.permits(ip("127.0.0.1")));
        assert!(!egress.permits(ip("10.2.0.1")));
        assert!(!egress.permits(ip("127.0.0.2")));
        assert_eq!(
            Egress::parse_allow("10.0.0.0/33"),
            Err("10.0.0.0/33".to_owned())
        );
    }
}
