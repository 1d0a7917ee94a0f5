// SQLAlchemy's "Column Loading Options": load_only(), defer(), undefer(),
// deferred columns in the mapping (mapped_column(deferred=True),
// deferred_group, deferred_raiseload) and loading what was left out.
//
// Python:
//   class Book(Base):
//       __tablename__ = "book"
//       id: Mapped[int] = mapped_column(primary_key=True)
//       title: Mapped[str]
//       summary: Mapped[str] = mapped_column(Text, deferred=True)
//       cover_photo: Mapped[bytes] = mapped_column(LargeBinary, deferred=True,
//                                                  deferred_group="photos")
//
//   session.scalars(select(Book).options(load_only(Book.title)))
//   session.scalars(select(Book).options(undefer(Book.summary)))
//   book.summary                      # a SELECT for the one column, on first access
//   inspect(book).unloaded            # {'summary', 'cover_photo', ...}
//   session.refresh(book, ["summary"])
//
// C++ cannot intercept a read of a plain member, so a column a query left out
// is "unloaded": the member keeps its default, inspect(obj).unloaded lists it
// and the flush never writes it back. Load it with refresh(obj, {"summary"})
// or a later query that selects it, or make the member an orm::Deferred<T>,
// which loads on first use as the Python attribute does.
#include <alchemy/orm.hpp>
#include <iostream>
#include <string>
#include <vector>

#include "example_support.hpp"

using namespace alchemy;

namespace {

struct Book {
  std::int64_t id = 0;
  std::string title;
  std::int64_t pages = 0;
  std::string summary;                 // deferred: large text, seldom read
  orm::Deferred<std::string> cover;    // deferred, group "photos"; loads on first use
  orm::Deferred<std::string> back;     // deferred, group "photos"
  orm::Deferred<std::string> royalty;  // deferred_raiseload: never loads by accident
};

void map_models(orm::registry& Base) {
  Base.map<Book>("book", orm::column<&Book::id>("id", primary_key()),
                 orm::column<&Book::title>("title", String(200)),
                 orm::column<&Book::pages>("pages"),
                 orm::column<&Book::summary>("summary", Text, orm::deferred()),
                 orm::column<&Book::cover>("cover_photo", Text, orm::deferred("photos")),
                 orm::column<&Book::back>("back_photo", Text, orm::deferred("photos")),
                 orm::column<&Book::royalty>("royalty", String(20), orm::deferred_raiseload()));
}

int failures = 0;
void check(bool ok, const char* what) {
  std::cout << (ok ? "  ok: " : "  FAILED: ") << what << "\n";
  if (!ok) ++failures;
}

std::string last_select(const std::vector<std::string>& log) {
  for (auto it = log.rbegin(); it != log.rend(); ++it)
    if (it->rfind("SELECT", 0) == 0) {
      std::string s = *it;
      for (char& c : s)
        if (c == '\n') c = ' ';
      return s;
    }
  return {};
}

bool has(const std::string& s, const char* part) { return s.find(part) != std::string::npos; }

}  // namespace

int main(int argc, char** argv) {
  Engine engine =
      create_engine(examples::database_url(argc, argv, "sqlite:///orm_deferred_loading.db"));
  orm::registry Base;
  map_models(Base);
  Base.metadata.drop_all(engine);
  Base.metadata.create_all(engine);
  std::vector<std::string> log;
  event::listen(
      engine, event::before_cursor_execute,
      [&log](Connection&, const CursorExecuteContext& ctx) { log.emplace_back(ctx.statement); });
  {
    orm::Session session(engine);
    for (int i = 1; i <= 3; ++i) {
      auto b = orm::make<Book>();
      b->title = "Book " + std::to_string(i);
      b->pages = 100 * i;
      b->summary = "A long summary of book " + std::to_string(i);
      b->cover = "<cover " + std::to_string(i) + ">";
      b->back = "<back " + std::to_string(i) + ">";
      b->royalty = std::to_string(5 + i) + "%";
      session.add(b);
    }
    session.commit();
  }

  std::cout << "== Deferred columns in the mapping ==\n";
  {
    orm::Session session(engine);
    auto books = session.scalars(orm::select<Book>().order_by(orm::col(&Book::id))).all();
    std::cout << "  " << last_select(log) << "\n";
    check(!has(last_select(log), "summary") && !has(last_select(log), "photo"),
          "the default SELECT leaves deferred columns out");
    auto book = books[0];
    std::cout << "  inspect(book).unloaded:";
    for (const auto& k : orm::inspect(book).unloaded) std::cout << " " << k;
    std::cout << "\n";
    check(!orm::is_loaded(book, &Book::summary) && book->summary.empty(),
          "a plain member left out holds its default and is unloaded");

    // orm::Deferred<T>: the first read loads the column (and the rest of its group).
    log.clear();
    std::cout << "  book->cover: " << *book->cover << "\n";
    std::cout << "  " << last_select(log) << "\n";
    check(log.size() == 1 && has(log[0], "back_photo"), "one SELECT loads the 'photos' group");
    check(book->back.loaded() && *book->back == "<back 1>", "the group came along");
    try {
      (void)book->royalty.get();
      check(false, "deferred_raiseload raises");
    } catch (const InvalidRequestError& e) {
      std::cout << "  book->royalty: InvalidRequestError: " << e.what() << "\n";
    }

    // refresh() with attribute names loads them now.
    session.refresh(book, {"summary", "royalty"});
    std::cout << "  after refresh(book, {\"summary\", \"royalty\"}): " << book->summary << ", "
              << *book->royalty << "\n";
    check(orm::is_loaded(book, &Book::summary), "refresh(obj, names) loaded the summary");
  }

  std::cout << "\n== load_only(), defer(), undefer() ==\n";
  {
    orm::Session session(engine);
    auto titles = session
                      .scalars(orm::select<Book>()
                                   .options(orm::load_only(&Book::title))
                                   .order_by(orm::col(&Book::id)))
                      .all();
    std::cout << "  " << last_select(log) << "\n";
    const std::string sel = last_select(log);
    check(has(sel, "book.id, book.title") && !has(sel, "pages") && !has(sel, "summary"),
          "load_only(title) selects the title and the primary key");
    // A later query that selects more columns fills them in (same objects).
    auto full = session
                    .scalars(orm::select<Book>()
                                 .options(orm::undefer(&Book::summary), orm::defer(&Book::title))
                                 .order_by(orm::col(&Book::id)))
                    .all();
    std::cout << "  " << last_select(log) << "\n";
    check(full[1] == titles[1] && titles[1]->pages == 200 &&
              titles[1]->summary == "A long summary of book 2",
          "a later query filled the unloaded columns of the same objects");

    // The flush never writes an unloaded column; an assigned one is written.
    auto b3 = titles[2];
    b3->title = "Book 3, second edition";
    log.clear();
    session.commit();
    for (const auto& s : log)
      if (s.rfind("UPDATE", 0) == 0) std::cout << "  " << s << "\n";
  }
  {
    auto conn = engine.connect();
    auto row =
        conn.execute(text("SELECT title, cover_photo, summary FROM book WHERE id = 3")).one();
    check(row.get<std::string>(0) == "Book 3, second edition" &&
              row.get<std::string>(1) == "<cover 3>" &&
              row.get<std::string>(2) == "A long summary of book 3",
          "columns that were never loaded kept their values in the database");
  }

  std::cout << "\n== Detached objects ==\n";
  std::shared_ptr<Book> detached;
  {
    orm::Session session(engine);
    detached = session
                   .scalars(orm::select<Book>()
                                .where(orm::col(&Book::id) == 2)
                                .options(orm::undefer_group<Book>("photos")))
                   .one();
  }
  std::cout << "  loaded with undefer_group(\"photos\") before close: " << *detached->cover << "\n";
  try {
    (void)detached->royalty.get();
  } catch (const orm::DetachedInstanceError&) {
    std::cout << "  royalty was never loaded: DetachedInstanceError\n";
  } catch (const InvalidRequestError&) {
    std::cout << "  royalty: InvalidRequestError (raiseload)\n";
  }

  Base.metadata.drop_all(engine);
  if (failures != 0) {
    std::cerr << failures << " check(s) failed\n";
    return 1;
  }
  return 0;
}
