/**
 * Tollgate for Jakarta REST runtimes: {@link dev.tollgate.jaxrs.TollgateFeature} and {@link
 * dev.tollgate.jaxrs.RateLimit}. {@code dev.tollgate.jaxrs.internal} is not exported.
 */
// Jersey's jars carry no module name of their own: their names come from the file names.
@SuppressWarnings("requires-automatic")
module dev.tollgate.jaxrs {
  exports dev.tollgate.jaxrs;

  // The runtime creates ServletPeerAddress by its class and injects its private @Context field.
  opens dev.tollgate.jaxrs.internal;

  // TollgateFeature is a jakarta.ws.rs.core.Feature built from core's Tollgate or TollgateConfig.
  requires transitive dev.tollgate.core;
  requires transitive jakarta.ws.rs;
  requires static org.jspecify;
  // Optional, used only where present: the peer address from the servlet request, Jersey's extras.
  requires static jakarta.servlet;
  requires static jersey.common;
  requires static jersey.server;
}
