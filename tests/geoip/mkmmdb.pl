#!/usr/bin/perl
# mkmmdb.pl OUT.mmdb: write a small MaxMind DB (City layout, as GeoLite2
# and DB-IP ship it) for ward's GeoIP tests, with Debian's
# libmaxmind-db-writer-perl.  The networks and places are the tests'
# own; the private 10.0.0.0/8 is in it so that a test can show it is
# skipped all the same.
use strict;
use utf8;
use warnings;
use MaxMind::DB::Writer::Tree;

my $out = shift or die "usage: mkmmdb.pl OUT.mmdb\n";
my %types = (
	city => 'map', continent => 'map', country => 'map',
	location => 'map', postal => 'map', names => 'map',
	subdivisions => [ 'array', 'map' ],
	code => 'utf8_string', iso_code => 'utf8_string',
	en => 'utf8_string', time_zone => 'utf8_string',
	latitude => 'double', longitude => 'double',
);
my $tree = MaxMind::DB::Writer::Tree->new(
	ip_version => 6,
	record_size => 28,
	database_type => 'GeoLite2-City',
	languages => ['en'],
	description => { en => 'ward GeoIP test database' },
	map_key_type_callback => sub { $types{ $_[0] } },
	remove_reserved_networks => 0,
);
sub place {
	my ($cc, $country, $cont, $city, $lat, $lon, $tz, $region, $postal) = @_;
	my %p = (
		country => { iso_code => $cc, names => { en => $country } },
		continent => { code => $cont },
	);
	if (defined $city) {
		$p{city} = { names => { en => $city } };
		$p{location} = { latitude => $lat, longitude => $lon,
		    time_zone => $tz };
		$p{subdivisions} = [ { iso_code => $region } ];
		$p{postal} = { code => $postal };
	}
	return \%p;
}
$tree->insert_network('81.2.69.0/24', place('GB', 'United Kingdom', 'EU',
    'London', 51.5142, -0.0931, 'Europe/London', 'ENG', 'EC4R'));
$tree->insert_network('89.160.20.0/24', place('SE', 'Sweden', 'EU',
    'Linköping', 58.4167, 15.6167, 'Europe/Stockholm', 'E', '583 29'));
$tree->insert_network('2001:218::/32', place('JP', 'Japan', 'AS',
    'Tokyo', 35.6895, 139.6917, 'Asia/Tokyo', '13', '100-0001'));
$tree->insert_network('67.43.156.0/24', place('BT', 'Bhutan', 'AS'));
$tree->insert_network('10.0.0.0/8', place('ZZ', 'Private', 'EU',
    'Nowhere', 1.0, 1.0, 'UTC', 'X', '0'));
open my $fh, '>:raw', $out or die "$out: $!\n";
$tree->write_tree($fh);
close $fh or die "$out: $!\n";
