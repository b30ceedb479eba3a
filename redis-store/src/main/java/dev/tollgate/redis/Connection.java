package dev.tollgate.redis;

import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;

/** An established connection and its scripting commands (standalone or cluster). */
final class Connection {
  final StatefulConnection<String, String> connection;
  final RedisScriptingAsyncCommands<String, String> commands;

  Connection(
      StatefulConnection<String, String> connection,
      RedisScriptingAsyncCommands<String, String> commands) {
    this.connection = connection;
    this.commands = commands;
  }
}
