package dev.tollgate.core;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Objects;
import javax.naming.InitialContext;
import javax.naming.NamingException;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * Plans kept in a database: a query with one parameter, the client key as Tollgate shows it, whose
 * first column of the first row is the plan name; no row means the client has no plan there. For
 * example {@code SELECT plan FROM tenants WHERE client_key = ?}. Uses only {@code java.sql} and
 * {@code javax.naming}: the driver and pool are the application's or the container's.
 */
public final class JdbcPlanResolver implements PlanResolver {

  private final @Nullable DataSource dataSource;
  private final @Nullable String jndiName;
  private final String query;
  private final int queryTimeoutSeconds;

  private JdbcPlanResolver(
      @Nullable DataSource dataSource,
      @Nullable String jndiName,
      String query,
      int queryTimeoutSeconds) {
    this.dataSource = dataSource;
    this.jndiName = jndiName;
    this.query = check(query);
    if (queryTimeoutSeconds < 0) {
      throw new IllegalArgumentException(
          "query timeout must not be negative but was " + queryTimeoutSeconds);
    }
    this.queryTimeoutSeconds = queryTimeoutSeconds;
  }

  /** Over a {@link DataSource} given in code. The query timeout is 5 seconds. */
  public static JdbcPlanResolver of(DataSource dataSource, String query) {
    return new JdbcPlanResolver(Objects.requireNonNull(dataSource, "dataSource"), null, query, 5);
  }

  /**
   * Over the {@link DataSource} bound to {@code jndiName} in the container (e.g. {@code
   * java:comp/env/jdbc/plans}), looked up at each query so that the data source may be bound after
   * the filter starts. The query timeout is 5 seconds.
   */
  public static JdbcPlanResolver jndi(String jndiName, String query) {
    if (jndiName == null || jndiName.isBlank()) {
      throw new IllegalArgumentException("a JNDI name must not be blank");
    }
    return new JdbcPlanResolver(null, jndiName.trim(), query, 5);
  }

  /** This resolver with another query timeout (0 for the driver's default). */
  public JdbcPlanResolver queryTimeout(int seconds) {
    return new JdbcPlanResolver(dataSource, jndiName, query, seconds);
  }

  private static String check(String query) {
    Objects.requireNonNull(query, "query");
    int markers = query.length() - query.replace("?", "").length();
    if (markers != 1) {
      throw new IllegalArgumentException(
          "the query must have exactly one '?' (the client key) but has " + markers);
    }
    return query.trim();
  }

  @Override
  public @Nullable String planOf(String clientKey) throws Exception {
    try (Connection connection = dataSource().getConnection();
        PreparedStatement statement = connection.prepareStatement(query)) {
      if (queryTimeoutSeconds > 0) {
        statement.setQueryTimeout(queryTimeoutSeconds);
      }
      statement.setString(1, clientKey);
      try (ResultSet rows = statement.executeQuery()) {
        return rows.next() ? rows.getString(1) : null;
      }
    }
  }

  // The name is the operator's (plans.jdbc.jndi-name in the configuration), never a request's, and
  // names the container's own DataSource: the JNDI injection Error Prone guards against needs a
  // name
  // an attacker chooses.
  @SuppressWarnings("BanJNDI")
  private DataSource dataSource() throws NamingException {
    if (dataSource != null) {
      return dataSource;
    }
    Object found = new InitialContext().lookup(jndiName);
    if (!(found instanceof DataSource source)) {
      throw new NamingException(jndiName + " is not a javax.sql.DataSource but " + found);
    }
    return source;
  }

  @Override
  public String toString() {
    return "jdbc(" + (jndiName != null ? jndiName : "data source") + ")";
  }
}
