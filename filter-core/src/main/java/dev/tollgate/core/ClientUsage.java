package dev.tollgate.core;

/**
 * How much of one limit a client has used, for operators ({@link Tollgate#heaviestClients(int)}).
 *
 * @param rule the rule's name
 * @param client the client key as stored (secrets only as digests)
 * @param limit the limit nearest to exhaustion for this client under this rule
 * @param used quota units used now
 */
public record ClientUsage(String rule, String client, Limit limit, long used) {

  /** {@code used / quota}. */
  public double usedShare() {
    return (double) used / limit.quota();
  }
}
