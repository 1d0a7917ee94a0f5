// Symbol visibility for alchemy's libraries.
//
// Every library is compiled with hidden visibility; declarations that form the
// public ABI are marked ALCHEMY_EXPORT. One macro serves all targets because the
// supported toolchains (GCC, Clang on ELF) only need "default" visibility.
#pragma once

#if defined(_WIN32)
#  if defined(ALCHEMY_STATIC_DEFINE)
#    define ALCHEMY_EXPORT
#  elif defined(ALCHEMY_BUILDING_LIBRARY)
#    define ALCHEMY_EXPORT __declspec(dllexport)
#  else
#    define ALCHEMY_EXPORT __declspec(dllimport)
#  endif
#else
#  define ALCHEMY_EXPORT __attribute__((visibility("default")))
#endif
