package dev.tollgate.core;

import dev.tollgate.core.Plans.Source;
import dev.tollgate.core.internal.Cidr;
import dev.tollgate.core.internal.IpAddresses;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/** The built-in sources of a client's plan, for {@link Plans}. */
final class PlanSources {

  /** Marks a lookup that failed or timed out; never shown. */
  static final Plan FAILED = Plan.builder("failed").build();

  static final Plan TIMED_OUT = Plan.builder("timed-out").build();

  private PlanSources() {}

  /** The plans' {@code clients} entries: client keys, IP addresses and ranges. */
  static Source clients(List<Plan> plans) {
    Map<String, Plan> keys = new HashMap<>();
    List<Cidr> ranges = new ArrayList<>();
    List<Plan> rangePlans = new ArrayList<>();
    for (Plan p : plans) {
      for (String entry : p.clients()) {
        Cidr range = Cidr.rangeOrNull(entry);
        if (range != null) {
          ranges.add(range);
          rangePlans.add(p);
        } else {
          Plan before = keys.put(entry, p);
          if (before != null && before != p) {
            throw ConfigException.invalid(
                "plans." + p.name() + ".clients", entry, "is already on plan " + before.name());
          }
        }
      }
    }
    if (keys.isEmpty() && ranges.isEmpty()) {
      return (request, client, ip) -> null;
    }
    return byKeyOrRange(keys, ranges, rangePlans);
  }

  /** The plan of the client's key, else of its address, else of the first range holding it. */
  private static Source byKeyOrRange(
      Map<String, Plan> keys, List<Cidr> ranges, List<Plan> rangePlans) {
    return (request, client, clientIp) -> {
      Plan p = keys.get(client);
      if (p != null || ranges.isEmpty()) {
        return p;
      }
      String ipKey = clientIp.resolve(request);
      if (ipKey == null || !ipKey.startsWith("ip:")) {
        return null;
      }
      p = keys.get(ipKey);
      if (p != null) {
        return p;
      }
      InetAddress address = IpAddresses.parse(ipKey.substring(3));
      if (address == null) {
        return null;
      }
      for (int i = 0; i < ranges.size(); i++) { // the first range listed that holds the address
        if (ranges.get(i).contains(address)) {
          return rangePlans.get(i);
        }
      }
      return null;
    };
  }

  /** The plans' {@code roles}: the first plan with a role the request's user is in. */
  static Source roles(List<Plan> plans) {
    List<Plan> withRoles = new ArrayList<>();
    for (Plan p : plans) {
      if (!p.roles().isEmpty()) {
        withRoles.add(p);
      }
    }
    if (withRoles.isEmpty()) {
      return (request, client, ip) -> null;
    }
    return (request, client, ip) -> {
      if (request.principalName() == null) {
        return null;
      }
      for (int i = 0; i < withRoles.size(); i++) { // plans in the order they were added
        Plan p = withRoles.get(i);
        List<String> roles = p.roles();
        for (int r = 0; r < roles.size(); r++) {
          if (request.isUserInRole(roles.get(r))) {
            return p;
          }
        }
      }
      return null;
    };
  }

  /**
   * The plan named in {@code header}, believed only from {@code trustedProxies}; {@code known}
   * finds the plan of a name from a source.
   */
  static Source header(
      String header, List<Cidr> trustedProxies, BiFunction<String, String, Plan> known) {
    String source = "header:" + header;
    return (request, client, ip) -> {
      String value = request.header(header);
      if (value == null || value.isBlank() || trustedProxies.isEmpty()) {
        return null;
      }
      InetAddress peer = IpAddresses.parse(request.remoteAddress());
      if (peer == null) {
        return null;
      }
      for (int i = 0; i < trustedProxies.size(); i++) {
        if (trustedProxies.get(i).contains(peer)) {
          return known.apply(value.trim(), source);
        }
      }
      return null; // a client may not name its own plan
    };
  }

  /**
   * The plan {@code cache}'s resolver names, or {@link #FAILED} or {@link #TIMED_OUT}; {@code
   * known} finds the plan of a name from a source.
   */
  static Source resolver(PlanCache cache, String source, BiFunction<String, String, Plan> known) {
    return (request, client, ip) -> {
      String name = cache.lookup(client);
      if (name == PlanCache.FAILED) {
        return FAILED;
      }
      if (name == PlanCache.TIMED_OUT) {
        return TIMED_OUT;
      }
      return known.apply(name, source);
    };
  }
}
