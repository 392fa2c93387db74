#!/usr/bin/perl
# The lab's kube-dns pods: a whoami over UDP and TCP (busybox has no UDP server). Each datagram or connection is
# answered with the pod's name and the client's address as this pod sees it, like traefik/whoami's RemoteAddr.
# Usage: whoami.pl <pod-name> udp:53 tcp:53 tcp:9153
use strict;
use warnings;
use IO::Select;
use IO::Socket::INET;
use Socket qw(sockaddr_in inet_ntoa);

my ($name, @listen) = @ARGV;
my $select = IO::Select->new;
my %udp;
for my $spec (@listen) {
  my ($proto, $port) = split /:/, $spec;
  my $s = IO::Socket::INET->new(Proto => $proto, LocalPort => $port, ($proto eq 'tcp' ? (Listen => 16, ReuseAddr => 1) : ()))
    or die "whoami.pl: cannot listen on $spec: $!\n";
  $udp{$s} = 1 if $proto eq 'udp';
  $select->add($s);
}

sub answer { "Hostname: $name\nRemoteAddr: $_[0]:$_[1]\n" }

while (my @ready = $select->can_read) {
  for my $s (@ready) {
    if ($udp{$s}) {
      my $from = $s->recv(my $request, 512);
      next unless defined $from;
      my ($port, $addr) = sockaddr_in($from);
      $s->send(answer(inet_ntoa($addr), $port), 0, $from);
      next;
    }
    my $c = $s->accept or next;
    # Read the request first: closing with unread input would reset the connection before the answer is read.
    $c->recv(my $request, 1024);
    $c->send(answer($c->peerhost, $c->peerport));
    close $c;
  }
}
