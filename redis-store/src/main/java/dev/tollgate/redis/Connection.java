package dev.tollgate.redis;

import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;
import io.lettuce.core.api.async.RedisStringAsyncCommands;

/**
 * An established connection and its commands (standalone or cluster): scripts for decisions,
 * strings for renewing a lease ({@link Leases}).
 */
final class Connection {
  final StatefulConnection<String, String> connection;
  final RedisScriptingAsyncCommands<String, String> commands;
  final RedisStringAsyncCommands<String, String> strings;

  <C extends RedisScriptingAsyncCommands<String, String> & RedisStringAsyncCommands<String, String>>
      Connection(StatefulConnection<String, String> connection, C commands) {
    this.connection = connection;
    this.commands = commands;
    this.strings = commands;
  }
}
