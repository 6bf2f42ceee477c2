// The one translation unit that compiles Beast and Asio (BOOST_BEAST_SEPARATE_COMPILATION and
// BOOST_ASIO_SEPARATE_COMPILATION are defined for every user of rxl_http): every other file sees only
// declarations, which keeps builds on two cores bearable.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
