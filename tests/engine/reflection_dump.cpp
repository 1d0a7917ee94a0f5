// Prints, as JSON, what the Inspector reports for every table of the database
// at argv[1] (a URL): columns, primary key, foreign keys, indexes, unique and
// check constraints. Driven by reflection_differential.py, which compares it
// with what SQLAlchemy's Inspector reports for the same database.
#include <alchemy/alchemy.hpp>
#include <alchemy/engine/reflection.hpp>
#include <iostream>
#include <string>
#include <vector>

namespace {

std::string quote(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else {
      out += c;
    }
  }
  return out + "\"";
}
std::string quote(const std::optional<std::string>& s) { return s ? quote(*s) : "null"; }

std::string list(const std::vector<std::string>& v) {
  std::string out = "[";
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + quote(v[i]);
  return out + "]";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: reflection_dump URL\n";
    return 2;
  }
  using namespace alchemy;
  try {
    Inspector insp = inspect(create_engine(argv[1]));
    std::cout << "{";
    const auto tables = insp.get_table_names();
    for (std::size_t t = 0; t < tables.size(); ++t) {
      const std::string& name = tables[t];
      std::cout << (t ? ",\n " : "\n ") << quote(name) << ": {\"columns\": [";
      const auto cols = insp.get_columns(name);
      for (std::size_t i = 0; i < cols.size(); ++i) {
        const auto& c = cols[i];
        std::cout << (i ? ", " : "") << "{\"name\": " << quote(c.name)
                  << ", \"nullable\": " << (c.nullable ? "true" : "false")
                  << ", \"default\": " << quote(c.default_) << ", \"autoincrement\": "
                  << (c.autoincrement ? (*c.autoincrement ? "true" : "false") : "\"auto\"") << "}";
      }
      const auto pk = insp.get_pk_constraint(name);
      std::cout << "],\n  \"pk\": {\"name\": " << quote(pk.name)
                << ", \"constrained_columns\": " << list(pk.constrained_columns)
                << "},\n  \"fks\": [";
      const auto fks = insp.get_foreign_keys(name);
      for (std::size_t i = 0; i < fks.size(); ++i) {
        const auto& f = fks[i];
        std::cout << (i ? ", " : "") << "{\"name\": " << quote(f.name)
                  << ", \"constrained_columns\": " << list(f.constrained_columns)
                  << ", \"referred_schema\": " << quote(f.referred_schema)
                  << ", \"referred_table\": " << quote(f.referred_table)
                  << ", \"referred_columns\": " << list(f.referred_columns) << ", \"options\": {";
        std::vector<std::string> opts;
        if (!f.options.ondelete.empty())
          opts.push_back("\"ondelete\": " + quote(f.options.ondelete));
        if (!f.options.onupdate.empty())
          opts.push_back("\"onupdate\": " + quote(f.options.onupdate));
        if (f.options.deferrable)
          opts.push_back(std::string("\"deferrable\": ") +
                         (*f.options.deferrable ? "true" : "false"));
        if (!f.options.initially.empty())
          opts.push_back("\"initially\": " + quote(f.options.initially));
        for (std::size_t k = 0; k < opts.size(); ++k) std::cout << (k ? ", " : "") << opts[k];
        std::cout << "}}";
      }
      std::cout << "],\n  \"indexes\": [";
      const auto indexes = insp.get_indexes(name);
      for (std::size_t i = 0; i < indexes.size(); ++i) {
        const auto& x = indexes[i];
        std::vector<std::string> cols;
        for (const auto& c : x.column_names) cols.push_back(c.value_or(""));
        std::cout << (i ? ", " : "") << "{\"name\": " << quote(x.name)
                  << ", \"column_names\": " << list(cols)
                  << ", \"unique\": " << (x.unique ? "true" : "false") << "}";
      }
      std::cout << "],\n  \"uniques\": [";
      const auto uniques = insp.get_unique_constraints(name);
      for (std::size_t i = 0; i < uniques.size(); ++i)
        std::cout << (i ? ", " : "") << "{\"name\": " << quote(uniques[i].name)
                  << ", \"column_names\": " << list(uniques[i].column_names) << "}";
      std::cout << "],\n  \"checks\": [";
      const auto checks = insp.get_check_constraints(name);
      for (std::size_t i = 0; i < checks.size(); ++i)
        std::cout << (i ? ", " : "") << "{\"name\": " << quote(checks[i].name)
                  << ", \"sqltext\": " << quote(checks[i].sqltext) << "}";
      std::cout << "]}";
    }
    std::cout << "\n}\n";
  } catch (const std::exception& e) {
    std::cerr << "reflection_dump: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
