package salesmania

import "time"

// Team is a salesman or sales group inside a database. Visits and orders
// belong to a team. The JSON form is the contract's team object (§7).
type Team struct {
	ID                int64     `json:"id"`
	DBID              int64     `json:"-"`
	Name              string    `json:"name"`
	ExtSalesmanNumber string    `json:"ext_salesman_number"`
	Status            bool      `json:"status"`
	CreatedAt         time.Time `json:"-"`
	UpdatedAt         time.Time `json:"-"`
}

// Validate cleans and checks a team before it is stored.
func (t *Team) Validate() error {
	var p Problems
	t.Name = CleanString(t.Name)
	t.ExtSalesmanNumber = CleanString(t.ExtSalesmanNumber)
	checkLength(&p, "name", t.Name, 1, 200)
	checkLength(&p, "ext_salesman_number", t.ExtSalesmanNumber, 0, 100)
	return p.Err()
}
