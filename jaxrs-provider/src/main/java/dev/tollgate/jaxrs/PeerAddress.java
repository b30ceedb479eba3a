package dev.tollgate.jaxrs;

import dev.tollgate.jaxrs.internal.ServletPeerAddress;
import jakarta.ws.rs.container.ContainerRequestContext;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The direct peer's address, which JAX-RS does not expose. Read, in this order, from the request
 * property that {@link ServletPeerAddress} sets on a servlet container (any runtime: the address
 * comes from an injected {@code HttpServletRequest}), then from the runtime-specific sources the
 * feature found (Jersey's injection manager, which also knows Grizzly's request). Elsewhere the
 * address is {@code null}, and core treats clients that only an IP address could identify as one
 * anonymous client.
 */
final class PeerAddress {

  /** One way to read the peer address of the request being processed; {@code null} if it cannot. */
  interface Source {
    @Nullable String read(ContainerRequestContext request);
  }

  private static final System.Logger LOG = System.getLogger(PeerAddress.class.getName());

  private final List<Source> sources;
  private volatile boolean warned;

  PeerAddress(List<Source> runtimeSources) {
    List<Source> all = new ArrayList<>(runtimeSources.size() + 1);
    all.add(PeerAddress::fromProperty);
    all.addAll(runtimeSources);
    this.sources = List.copyOf(all);
  }

  private static @Nullable String fromProperty(ContainerRequestContext request) {
    Object address = request.getProperty(ServletPeerAddress.PROPERTY);
    return address instanceof String ? (String) address : null;
  }

  /** The peer address of {@code request}, or {@code null}. */
  @Nullable String of(ContainerRequestContext request) {
    for (Source s : sources) {
      String address;
      try {
        address = s.read(request);
      } catch (RuntimeException e) {
        address = null; // not this runtime, or outside a request
      }
      if (address != null) {
        return address;
      }
    }
    if (!warned) {
      warned = true;
      LOG.log(
          System.Logger.Level.WARNING,
          "Tollgate cannot read the client's IP address on this JAX-RS runtime"
              + " (supported: servlet containers on any runtime, and Jersey's Grizzly container); clients identified"
              + " only by 'ip' share one anonymous quota");
    }
    return null;
  }
}
