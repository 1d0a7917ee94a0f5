// Guide: "Connection Strings" and basics "Connection URL Formats".
// Parses every URL form the guides show and prints its parts; the password is
// always masked when a URL is printed.
#include <alchemy/alchemy.hpp>

#include <iostream>

#include "example_support.hpp"

using namespace alchemy;

void show(const std::string& s) {
  try {
    URL url = make_url(s);
    std::cout << url.str() << "\n    backend=" << url.get_backend_name()
              << " driver=" << (url.get_driver_name().empty() ? "(default)" : url.get_driver_name())
              << " user=" << url.username().value_or("-") << " host=" << url.host().value_or("-")
              << " port=" << (url.port() ? std::to_string(*url.port()) : "-")
              << " database=" << url.database().value_or("-");
    for (const auto& [k, v] : url.query()) std::cout << " " << k << "=" << v;
    std::cout << "\n";
  } catch (const ArgumentError& e) {
    std::cout << s << "\n    ArgumentError: " << e.what() << "\n";
  }
}

int main(int argc, char** argv) {
  // SQLite
  show("sqlite:///path/to/database.db");
  show("sqlite:///C:/path/to/database.db");
  show("sqlite:///:memory:");
  show("sqlite:///./app.db");
  show("sqlite:////absolute/path/app.db");
  // PostgreSQL
  show("postgresql://username:password@localhost:5432/dbname");
  show("postgresql+psycopg2://user:pass@localhost/dbname");
  show("postgresql+libpq://user:pass@localhost/dbname?sslmode=disable&application_name=myapp");
  // Special characters in the password are percent-encoded: @ = %40.
  URL encoded = make_url("postgresql://user:p%40ssword@localhost/db");
  std::cout << "decoded password: " << *encoded.password() << "\n";
  // MySQL and SQL Server URLs parse; their dialects are not available yet.
  show("mysql+pymysql://user:pass@localhost:3306/mydb");
  show("mssql+pyodbc://user:pass@server/dbname?driver=ODBC+Driver+17+for+SQL+Server");
  for (const char* url : {"mysql+pymysql://user:pass@localhost:3306/mydb",
                          "mssql+pyodbc://user:pass@server/dbname"}) {
    try {
      create_engine(url);
    } catch (const NoSuchModuleError& e) {
      std::cout << "create_engine(" << url << "): " << e.what() << "\n";
    }
  }
  // A malformed URL says what is wrong.
  show("postgresql://user:secret@localhost:port/db");

  // Finally, connect with the URL this example was given.
  auto engine = create_engine(examples::database_url(argc, argv, "sqlite:///:memory:"));
  auto conn = engine.connect();
  std::cout << "connected to " << engine.url().str() << ": "
            << conn.execute(text("SELECT 'ok'")).scalar<std::string>() << "\n";
  return 0;
}
