//! Which address a request came from, for the limits counted per client. Behind a load
//! balancer or reverse proxy every connection comes from the proxy, so each visitor would
//! share one count; a proxy listed in `PORTICO_TRUSTED_PROXIES` says who it forwards for in
//! `X-Forwarded-For`, and only such a proxy is believed, since anyone can send the header.

use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, Ordering};

use actix_web::HttpRequest;
use ipnet::IpNet;

const FORWARDED_FOR: &str = "x-forwarded-for";

/// A trusted proxy as configured: one address (`10.0.0.5`) or a network (`10.0.0.0/8`).
pub fn parse_trusted_proxy(text: &str) -> Result<IpNet, String> {
    let text = text.trim();
    text.parse::<IpNet>()
        .or_else(|_| text.parse::<IpAddr>().map(IpNet::from))
        .map_err(|_| format!("{text:?} is neither an IP address nor a network such as 10.0.0.0/8"))
}

#[derive(Debug, Clone, Default)]
pub struct ClientAddresses {
    trusted_proxies: Vec<IpNet>,
}

impl ClientAddresses {
    pub fn new(trusted_proxies: Vec<IpNet>) -> Self {
        ClientAddresses { trusted_proxies }
    }

    /// The request's client, as a key for per-client limits ("" when the peer is unknown).
    pub fn of(&self, request: &HttpRequest) -> String {
        let Some(peer) = request.peer_addr().map(|peer| peer.ip()) else {
            return String::new();
        };
        let forwarded_for = request
            .headers()
            .get_all(FORWARDED_FOR)
            .filter_map(|value| value.to_str().ok());
        if request.headers().contains_key(FORWARDED_FOR) && !self.is_trusted(peer) {
            warn_of_untrusted_proxy(peer);
        }
        self.client_of(peer, forwarded_for).to_string()
    }

    /// Whether the request came straight from a trusted proxy, whose headers may be believed.
    pub fn from_trusted_proxy(&self, request: &HttpRequest) -> bool {
        request
            .peer_addr()
            .is_some_and(|peer| self.is_trusted(peer.ip()))
    }

    /// Walks the forwarding chain from the nearest hop back while each hop is a trusted proxy:
    /// the first hop that is not one is the client. Hops a client wrote itself sit further
    /// back than that, so they are never reached. A chain of trusted proxies only ends at its
    /// first entry; an entry that is not an address ends the walk at the hop that sent it.
    fn client_of<'a>(&self, peer: IpAddr, forwarded_for: impl Iterator<Item = &'a str>) -> IpAddr {
        let hops: Vec<&str> = forwarded_for.flat_map(|value| value.split(',')).collect();
        let mut client = peer;
        for hop in hops.iter().rev() {
            if !self.is_trusted(client) {
                break;
            }
            match hop.trim().parse::<IpAddr>() {
                Ok(address) => client = address,
                Err(_) => break,
            }
        }
        client
    }

    fn is_trusted(&self, address: IpAddr) -> bool {
        let address = canonical(address);
        self.trusted_proxies
            .iter()
            .any(|network| network.contains(&address))
    }
}

/// A private or loopback peer naming clients is most likely a proxy nobody has listed: every
/// visitor behind it then shares one count, so one visitor's failed sign-ins can refuse them
/// all. Said once, so that a client sending the header itself cannot fill the log.
fn warn_of_untrusted_proxy(peer: IpAddr) {
    static WARNED: AtomicBool = AtomicBool::new(false);
    let likely_proxy = match canonical(peer) {
        IpAddr::V4(v4) => v4.is_private() || v4.is_loopback(),
        IpAddr::V6(v6) => v6.is_unique_local() || v6.is_loopback(),
    };
    if likely_proxy && !WARNED.swap(true, Ordering::Relaxed) {
        tracing::warn!(
            %peer,
            "requests from {peer} name their clients in X-Forwarded-For, but {peer} is not in \
             PORTICO_TRUSTED_PROXIES: every visitor behind it shares one count for the limits \
             on sign-ins and emails"
        );
    }
}

/// An IPv4 peer of a dual-stack listener shows as `::ffff:a.b.c.d`; networks are written in IPv4.
fn canonical(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn behind(proxies: &[&str]) -> ClientAddresses {
        ClientAddresses::new(
            proxies
                .iter()
                .map(|proxy| parse_trusted_proxy(proxy).unwrap())
                .collect(),
        )
    }

    fn client(addresses: &ClientAddresses, peer: &str, headers: &[&str]) -> String {
        addresses
            .client_of(peer.parse().unwrap(), headers.iter().copied())
            .to_string()
    }

    #[test]
    fn without_trusted_proxies_the_header_is_ignored() {
        let direct = ClientAddresses::default();
        assert_eq!(
            client(&direct, "203.0.113.9", &["198.51.100.1"]),
            "203.0.113.9"
        );
    }

    #[test]
    fn a_trusted_proxy_names_the_client() {
        let proxied = behind(&["10.0.0.0/8"]);
        assert_eq!(
            client(&proxied, "10.1.2.3", &["198.51.100.1"]),
            "198.51.100.1"
        );
        assert_eq!(client(&proxied, "10.1.2.3", &[]), "10.1.2.3");
        assert_eq!(
            client(&proxied, "203.0.113.9", &["198.51.100.1"]),
            "203.0.113.9"
        );
    }

    #[test]
    fn addresses_a_client_wrote_itself_are_not_believed() {
        let proxied = behind(&["10.0.0.5", "10.0.1.0/24"]);
        // The client sent "X-Forwarded-For: 1.1.1.1"; each proxy appended the hop it saw.
        assert_eq!(
            client(&proxied, "10.0.0.5", &["1.1.1.1, 198.51.100.1", "10.0.1.7"]),
            "198.51.100.1"
        );
        assert_eq!(client(&proxied, "10.0.0.5", &["not-an-ip"]), "10.0.0.5");
        assert_eq!(
            client(&proxied, "10.0.0.5", &["10.0.1.7, 10.0.1.8"]),
            "10.0.1.7"
        );
    }

    #[test]
    fn ipv4_peers_of_a_dual_stack_listener_match_ipv4_networks() {
        let proxied = behind(&["127.0.0.1"]);
        assert_eq!(
            client(&proxied, "::ffff:127.0.0.1", &["198.51.100.1"]),
            "198.51.100.1"
        );
    }

    #[test]
    fn proxies_are_written_as_addresses_or_networks() {
        assert!(parse_trusted_proxy("10.0.0.5").is_ok());
        assert!(parse_trusted_proxy(" fd00::/8 ").is_ok());
        assert!(parse_trusted_proxy("10.0.0.0/33").is_err());
        assert!(parse_trusted_proxy("proxy.internal").is_err());
    }
}
