package dev.tollgate.example.jersey;

/**
 * Writes one page of made-up items as JSON, by hand: {@code {"page":P,"pageSize":N,"items":[...]}}.
 */
final class Pages {

  private Pages() {}

  /** The page number the client asked for; anything that is not a number of at least 1 means 1. */
  static int pageNumber(String raw) {
    try {
      int p = raw == null ? 1 : Integer.parseInt(raw.trim());
      return Math.max(p, 1);
    } catch (NumberFormatException e) {
      return 1;
    }
  }

  /** N items named {@code "<kind> <id>"}, with ids continuing from the previous pages. */
  static String json(String kind, int page, int pageSize) {
    StringBuilder out = new StringBuilder(64 + pageSize * 32);
    out.append("{\"page\":")
        .append(page)
        .append(",\"pageSize\":")
        .append(pageSize)
        .append(",\"items\":[");
    long first = (long) (page - 1) * pageSize + 1;
    for (int i = 0; i < pageSize; i++) {
      long id = first + i;
      out.append(i == 0 ? "" : ",")
          .append("{\"id\":")
          .append(id)
          .append(",\"name\":\"")
          .append(kind)
          .append(' ')
          .append(id)
          .append("\"}");
    }
    return out.append("]}").toString();
  }
}
