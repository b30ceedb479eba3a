package dev.tollgate.servlet;

import dev.tollgate.core.ConfigException;
import dev.tollgate.core.TollgateConfig;
import dev.tollgate.core.adapter.ConfigLayers;
import dev.tollgate.core.adapter.ConfigLocation;
import dev.tollgate.core.adapter.ManagedEngine;
import dev.tollgate.core.adapter.WebResources;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads a {@link TollgateConfig} from a filter's init-params and the file its {@code config} param
 * names, and starts the engine for it. Where the file is and how the layers combine is core's
 * ({@link ConfigLocation}, {@link ConfigLayers}); this class only translates from the servlet API.
 */
final class InitParams {

  private InitParams() {}

  /**
   * Starts an engine for the filter's init-params, watching the configuration file if {@code
   * reload.interval} asks for it.
   *
   * @param owner the filter, for messages
   * @throws ConfigException for a value core cannot use; its message says where the value was set
   * @throws ServletException if the configuration file cannot be found or read
   */
  static ManagedEngine start(FilterConfig filterConfig, String owner) throws ServletException {
    Map<String, String> params = overrides(filterConfig);
    String where = "init-param of filter '" + filterConfig.getFilterName() + "'";
    String location = filterConfig.getInitParameter(TollgateFilter.CONFIG_PARAM);
    if (location == null) {
      return ManagedEngine.start(
          ConfigLayers.parse(Map.of(), "", params, where), null, params, owner);
    }
    ConfigLocation file = ConfigLocation.of(location);
    WebResources web = new ServletResources(filterConfig.getServletContext());
    TollgateConfig config;
    try {
      config = file.load(web, params, where);
    } catch (IOException e) {
      throw new ServletException(
          owner
              + " cannot start: "
              + TollgateFilter.CONFIG_PARAM
              + ": '"
              + file
              + "' cannot be read ("
              + e.getMessage()
              + ")",
          e);
    }
    return ManagedEngine.start(config, file.watchablePath(web), params, owner);
  }

  /**
   * The init-params other than {@value TollgateFilter#CONFIG_PARAM}: what applies over the file, at
   * startup and on each reload.
   */
  static Map<String, String> overrides(FilterConfig filterConfig) {
    Map<String, String> params = new LinkedHashMap<>();
    for (String name : Collections.list(filterConfig.getInitParameterNames())) {
      if (!name.trim().equals(TollgateFilter.CONFIG_PARAM)) {
        params.put(name.trim(), filterConfig.getInitParameter(name));
      }
    }
    return params;
  }

  /** The web application's resources, for a {@code /WEB-INF/...} configuration file. */
  private static final class ServletResources implements WebResources {
    private final ServletContext context;

    ServletResources(ServletContext context) {
      this.context = context;
    }

    @Override
    public InputStream open(String path) {
      return context.getResourceAsStream(path);
    }

    @Override
    public String realPath(String path) {
      return context.getRealPath(path);
    }
  }
}
