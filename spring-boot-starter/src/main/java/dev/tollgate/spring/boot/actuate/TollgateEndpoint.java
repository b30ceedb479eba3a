package dev.tollgate.spring.boot.actuate;

import dev.tollgate.core.ClientUsage;
import dev.tollgate.core.Tollgate;
import java.util.List;
import java.util.Objects;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.lang.Nullable;

/**
 * {@code /actuator/tollgate}: the configuration in force, the heaviest clients and the suspended
 * ones; an operator suspends a client with a write ({@code POST {"client": "..."}}) and lifts the
 * suspension with a delete ({@code DELETE ?client=...}). Exposed and secured like any Actuator
 * endpoint ({@code management.endpoints.web.exposure.include}, {@code
 * management.endpoint.tollgate.access}, and Spring Security's rules for the Actuator paths).
 */
@Endpoint(id = "tollgate")
public class TollgateEndpoint {

  /** How many heaviest clients are listed unless the request asks for another number. */
  public static final int DEFAULT_TOP = 10;

  private static final int MAX_TOP = 1000;

  private final Tollgate tollgate;

  public TollgateEndpoint(Tollgate tollgate) {
    this.tollgate = Objects.requireNonNull(tollgate, "tollgate");
  }

  /** The state; {@code top} is how many heaviest clients to list (default 10, at most 1000). */
  @ReadOperation
  public Report report(@Nullable Integer top) {
    int n = top == null ? DEFAULT_TOP : top;
    if (n < 0 || n > MAX_TOP) {
      throw new InvalidEndpointRequestException(
          "top must be from 0 to " + MAX_TOP + " but was " + n, "invalid top");
    }
    List<Client> heaviest = tollgate.heaviestClients(n).stream().map(Client::of).toList();
    return new Report(
        tollgate.config().summary(),
        tollgate.config().storeType(),
        heaviest,
        tollgate.suspensions().entries());
  }

  /**
   * Suspends a client key ({@code key:<digest>}, {@code user:alice}, {@code ip:203.0.113.7}) or an
   * IP range.
   */
  @WriteOperation
  public Report suspend(String client) {
    try {
      tollgate.suspensions().suspend(client);
    } catch (IllegalArgumentException e) {
      throw new InvalidEndpointRequestException(e.getMessage(), "invalid client");
    }
    return report(null);
  }

  /** Lifts a suspension, added here or by the configuration (until the next reconfiguration). */
  @DeleteOperation
  public Report lift(String client) {
    tollgate.suspensions().lift(client);
    return report(null);
  }

  /**
   * What the endpoint shows.
   *
   * @param configuration the configuration in force, as in the startup log (no secrets)
   * @param store the store type
   * @param heaviestClients the clients nearest to exhaustion (in-memory store only)
   * @param suspended every suspension in force
   */
  public record Report(
      String configuration, String store, List<Client> heaviestClients, List<String> suspended) {}

  /**
   * One client under one rule.
   *
   * @param rule the rule's name
   * @param client the client key (secrets only as digests)
   * @param limit the limit nearest to exhaustion, as configured (e.g. {@code 100/1m as minute})
   * @param used quota units used in the current window
   * @param usedShare {@code used / quota}
   */
  public record Client(String rule, String client, String limit, long used, double usedShare) {
    static Client of(ClientUsage u) {
      return new Client(u.rule(), u.client(), u.limit().toString(), u.used(), u.usedShare());
    }
  }
}
