print("ticketsync")
