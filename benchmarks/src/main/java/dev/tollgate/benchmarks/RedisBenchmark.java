package dev.tollgate.benchmarks;

/**
 * The Redis part of the suite: our {@code RedisStore} against Bucket4j's Lettuce backend on one
 * local Redis, with {@code redis-benchmark}'s EVALSHA rate as the ceiling. Not written yet: the
 * {@code redis-store} module had no {@code RedisStore} when this module was written, so for now it
 * only reports whether the class is there. See the README's "Not measured yet".
 */
public final class RedisBenchmark {

  private RedisBenchmark() {}

  public static void main(String[] args) {
    boolean present;
    try {
      Class.forName("dev.tollgate.redis.RedisStore");
      present = true;
    } catch (ClassNotFoundException e) {
      present = false;
    }
    System.out.println("SUMMARY-BEGIN");
    System.out.println("## Redis store\n");
    System.out.println(present
        ? "Not measured yet: `dev.tollgate.redis.RedisStore` is now on the class path, but the Redis "
            + "comparison (1, 8 and 64 callers against Bucket4j's Lettuce backend, EVALSHA ceiling) is "
            + "still to be written.\n"
        : "Not measured: `dev.tollgate.redis.RedisStore` is not on the class path (the redis-store "
            + "module has no store yet).\n");
    System.out.println("SUMMARY-END");
  }
}
