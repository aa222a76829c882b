// The heavy third-party headers, compiled once and reused by every target.
#pragma once
#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <soci/soci.h>
