package dev.tollgate.redis;

import dev.tollgate.core.store.Bucket;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a request's buckets split over Redis Cluster hash slots: each client's keys share a slot
 * ({@link KeyLayout}), so the buckets of one client go to Redis in one script call.
 */
final class Slots {

  private Slots() {}

  /**
   * Bucket indexes grouped by the slot their keys need: one empty group (meaning all buckets)
   * unless this is a cluster and the buckets name more than one client.
   */
  static List<List<Integer>> groups(boolean cluster, List<Bucket> buckets) {
    if (!cluster || buckets.size() == 1) {
      return List.of(List.of());
    }
    Map<String, List<Integer>> byClient = new LinkedHashMap<>();
    for (int i = 0; i < buckets.size(); i++) {
      byClient.computeIfAbsent(buckets.get(i).client(), k -> new ArrayList<>()).add(i);
    }
    return byClient.size() == 1 ? List.of(List.of()) : new ArrayList<>(byClient.values());
  }

  /** The buckets of one group, in order. */
  static List<Bucket> part(List<Bucket> buckets, List<Integer> group) {
    List<Bucket> part = new ArrayList<>();
    for (int b : group) {
      part.add(buckets.get(b));
    }
    return part;
  }

  /** Where each bucket's limits begin in the request's list of limits. */
  static int[] offsets(List<Bucket> buckets) {
    int[] offsets = new int[buckets.size()];
    int n = 0;
    for (int i = 0; i < offsets.length; i++) {
      offsets[i] = n;
      n += buckets.get(i).limits().size();
    }
    return offsets;
  }
}
