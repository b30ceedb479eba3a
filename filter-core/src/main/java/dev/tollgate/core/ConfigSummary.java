package dev.tollgate.core;

import java.util.List;

/** The one-paragraph summary of a {@link TollgateConfig} for the startup log. Holds no secret. */
final class ConfigSummary {

  private ConfigSummary() {}

  static String of(TollgateConfig c) {
    StringBuilder s =
        new StringBuilder("Tollgate: clients by [")
            .append(c.clientKey())
            .append("]; ")
            .append(c.defaultRule());
    for (Rule r : c.rules()) {
      s.append("; ").append(r);
    }
    s.append("; headers ");
    List<HeaderDialect> dialects = c.dialects();
    for (int i = 0; i < dialects.size(); i++) {
      s.append(i == 0 ? "" : ",").append(dialects.get(i).configName());
    }
    if (dialects.isEmpty()) {
      s.append("none");
    }
    s.append("; store ").append(c.storeType());
    if (c.statusPath() != null) {
      s.append("; status at ").append(c.statusPath());
    }
    if (c.maxConcurrentPerClient() > 0) {
      s.append("; at most ").append(c.maxConcurrentPerClient()).append(" in flight per client");
    }
    if (!c.suspended().isEmpty()) {
      s.append("; ").append(c.suspended().size()).append(" suspended");
    }
    if (c.plans() != null) {
      s.append("; ").append(c.plans());
      for (Plan p : c.plans().all()) {
        s.append("; ").append(p);
      }
    }
    return s.toString();
  }

  /** What {@code r} sets itself, for {@link Rule#toString()}. */
  static String of(Rule r) {
    StringBuilder s = new StringBuilder(r.name()).append(':');
    if (!r.paths().isEmpty()) {
      s.append(" paths ").append(r.paths());
    }
    if (!r.methods().isEmpty()) {
      s.append(" methods ").append(r.methods());
    }
    s.append(" limits ").append(r.limits());
    if (r.setsCost()) {
      s.append(" cost ").append(r.cost());
    }
    if (r.countRejected()) {
      s.append(" counting rejected");
    }
    if (r.dryRun()) {
      s.append(" DRY-RUN");
    }
    if (r.counting() != Counting.ALL) {
      s.append(' ').append(r.counting());
    }
    if (r.setsPageSize()) {
      s.append("; ").append(r.pageSize());
    }
    return s.toString();
  }
}
