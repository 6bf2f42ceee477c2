# Beast and Asio are compiled once, in http/beast_src.cpp; every other file sees only declarations.
add_library(rxl_http STATIC
  http/beast_src.cpp
  http/message.cpp
  http/router.cpp
  http/server.cpp
  http/metrics.cpp
  http/access_log.cpp
  http/client.cpp)
target_compile_definitions(rxl_http PUBLIC BOOST_BEAST_SEPARATE_COMPILATION BOOST_ASIO_SEPARATE_COMPILATION BOOST_ASIO_NO_DEPRECATED)
target_link_libraries(rxl_http PUBLIC rxl_core Boost::boost Boost::url Boost::json OpenSSL::SSL OpenSSL::Crypto Threads::Threads fmt::fmt PRIVATE rxl_warnings)
